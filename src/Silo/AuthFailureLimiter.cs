using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Orleans.Raft.Silo;

/// <summary>
/// Counts each client address's wrong or missing access tokens in a fixed window (Web:AuthFailureLimit per
/// Web:AuthFailureWindow). A client at the limit is locked out until its window ends, whatever it presents then, so a
/// guess cannot be told right or wrong by its answer. Idle addresses are forgotten by the limiter itself.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AuthFailureLimiter(IOptions<WebOptions> options)
    {
        Limit = options.Value.AuthFailureLimit;
        Window = options.Value.AuthFailureWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Limit,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public int Limit { get; }

    public TimeSpan Window { get; }

    /// <summary>True while the client has used up its failures for the current window.</summary>
    public bool IsLockedOut(string client) => _limiter.GetStatistics(client) is { CurrentAvailablePermits: 0 };

    /// <summary>Counts one failure; returns how many the client has had this window, and whether this one locked it out.</summary>
    public (int Failures, bool LockedOut) RecordFailure(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        var left = _limiter.GetStatistics(client)?.CurrentAvailablePermits ?? 0;
        return ((int)(Limit - left), lease.IsAcquired && left == 0);
    }

    public void Dispose() => _limiter.Dispose();
}
