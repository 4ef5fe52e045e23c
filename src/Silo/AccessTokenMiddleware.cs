using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orleans.Raft.Silo;

/// <summary>
/// With Web:AccessToken set, refuses every request that does not carry the token (401). A page loaded with
/// ?access_token= gets it as an HttpOnly cookie, so its scripts, styles and the dashboard's own calls pass too.
/// The probes /healthz and /readyz pass without it: load balancers and Kubernetes send none, and they reveal only
/// whether this node is up and ready. /metrics needs it, as /api/metrics does: Prometheus sends it as a bearer token.
/// </summary>
public sealed class AccessTokenMiddleware(RequestDelegate next, IOptions<WebOptions> options, IProblemDetailsService problems)
{
    public const string CookieName = "raft_access_token";
    public const string QueryName = "access_token";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.AccessToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AccessToken));

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || HealthEndpoints.IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        string? presented = null;
        var fromQuery = false;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = authorization["Bearer ".Length..].Trim();
        else if (request.Query.TryGetValue(QueryName, out var query)) (presented, fromQuery) = (query.ToString(), true);
        else if (request.Cookies.TryGetValue(CookieName, out var cookie)) presented = cookie;

        if (presented is not null && Matches(presented))
        {
            if (fromQuery)
            {
                context.Response.Cookies.Append(CookieName, presented, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = request.IsHttps,
                    Path = "/",
                    IsEssential = true,
                });
            }
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = presented is null
                    ? "this silo requires an access token: send 'Authorization: Bearer TOKEN' or add ?access_token=TOKEN to the page address"
                    : "the access token is wrong",
            },
        });
    }

    // Hashes of equal length compared in constant time: the answer reveals neither the length nor a matching prefix.
    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
}
