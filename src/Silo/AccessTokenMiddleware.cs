using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orleans.Raft.Silo;

/// <summary>
/// With Web:AccessToken (the admin token) set, refuses every request that does not carry it or Web:ReadOnlyToken (401);
/// the read-only token is refused (403) for anything but GET and HEAD: reads, watches, status and metrics. A page
/// loaded with ?access_token= gets its token as an HttpOnly cookie, so its scripts, styles and the dashboard's own calls
/// pass too. The probes /healthz and /readyz pass without one: load balancers and Kubernetes send none, and they reveal
/// only whether this node is up and ready. /metrics needs one, as /api/metrics does: Prometheus sends it as a bearer
/// token. Wrong and missing tokens are logged and limited per client address (<see cref="AuthFailureLimiter"/>).
/// </summary>
public sealed class AccessTokenMiddleware(RequestDelegate next, IOptions<WebOptions> options, IProblemDetailsService problems,
    AuthFailureLimiter failures, ILogger<AccessTokenMiddleware> logger)
{
    public const string CookieName = "raft_access_token";
    public const string QueryName = "access_token";

    private readonly byte[]? _admin = Hash(options.Value.AccessToken);
    private readonly byte[]? _readOnly = Hash(options.Value.ReadOnlyToken);

    private enum Scope
    {
        None,
        ReadOnly,
        Admin,
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (_admin is null || HealthEndpoints.IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.IsLockedOut(client))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(failures.Window.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed attempts",
                $"this address presented {failures.Limit} wrong or missing access tokens within {failures.Window}: its requests are refused until that window ends");
            return;
        }

        string? presented = null;
        var fromQuery = false;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = authorization["Bearer ".Length..].Trim();
        else if (request.Query.TryGetValue(QueryName, out var query)) (presented, fromQuery) = (query.ToString(), true);
        else if (request.Cookies.TryGetValue(CookieName, out var cookie)) presented = cookie;

        var scope = presented is null ? Scope.None : ScopeOf(presented);
        if (scope == Scope.None)
        {
            var reason = presented is null ? "no access token" : "a wrong access token";
            var (count, lockedOut) = failures.RecordFailure(client);
            if (lockedOut) logger.AccessLockedOut(client, failures.Limit, failures.Window);
            else if (count < failures.Limit) logger.AccessRefused(request.Method, request.Path, client, reason, count, failures.Limit, failures.Window);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", presented is null
                ? "this silo requires an access token: send 'Authorization: Bearer TOKEN' or add ?access_token=TOKEN to the page address"
                : "the access token is wrong");
            return;
        }

        if (fromQuery)
        {
            context.Response.Cookies.Append(CookieName, presented!, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/",
                IsEssential = true,
            });
        }
        if (scope == Scope.ReadOnly && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            logger.ReadOnlyTokenRefused(request.Method, request.Path, client);
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                "this token is read-only: it allows reads and watches; writes, fault injection, membership and leadership changes need the admin token (Web:AccessToken)");
            return;
        }
        await next(context);
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    // Hashes of equal length compared in constant time, both always: the answer's timing reveals neither a token's
    // length, nor a matching prefix, nor which of the two a guess came near.
    private Scope ScopeOf(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var admin = CryptographicOperations.FixedTimeEquals(hash, _admin);
        var readOnly = _readOnly is not null && CryptographicOperations.FixedTimeEquals(hash, _readOnly);
        return admin ? Scope.Admin : readOnly ? Scope.ReadOnly : Scope.None;
    }

    private static byte[]? Hash(string? token) => string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
