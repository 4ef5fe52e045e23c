using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Raft.Client;

/// <summary>Whether a peer's certificate is accepted: pinned thumbprints, a CA bundle, the system's roots, or anything.</summary>
internal sealed class PeerCertificateCheck(bool allowAny, IReadOnlySet<string>? thumbprints, X509Certificate2Collection? authorities, TimeProvider time)
{
    public string Describe() =>
        allowAny ? "any certificate (untrusted ones too: no authentication)"
        : thumbprints is not null ? $"only the thumbprints {string.Join(", ", thumbprints)}"
        : authorities is not null ? $"issued by {string.Join("; ", authorities.Select(a => a.Subject))}"
        : "issued by an authority this machine trusts";

    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (allowAny) return true;
        if (thumbprints is not null)
        {
            // Pinned: the thumbprint is the identity; the name and the issuer do not matter, the dates still do.
            var now = time.GetUtcNow().UtcDateTime;
            return thumbprints.Contains(certificate.Thumbprint) && certificate.NotBefore.ToUniversalTime() <= now && now <= certificate.NotAfter.ToUniversalTime();
        }
        // Only the connecting side checks a name; a name mismatch is never forgiven by a CA bundle.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        if (authorities is null) return errors == SslPolicyErrors.None;

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(authorities);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        // Intermediates the peer sent along.
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements) own.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return own.Build(certificate);
    }
}
