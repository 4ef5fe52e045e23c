using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orleans.Raft.Silo;

/// <summary>
/// The probes of load balancers and Kubernetes: /healthz (the process answers; no checks) and /readyz
/// (<see cref="ReplicasReadyCheck"/>). Neither needs the access token: probes send none.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    public static IServiceCollection AddRaftHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ReplicasReadyCheck>(ReplicasReadyCheck.Name, tags: [ReplicasReadyCheck.ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapRaftHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReplicasReadyCheck.ReadyTag), ResponseWriter = WriteAsync });
        return app;
    }

    /// <summary>True for the probes' paths, which the access token does not guard.</summary>
    public static bool IsProbe(PathString path) => path.Equals(LivePath, StringComparison.OrdinalIgnoreCase) || path.Equals(ReadyPath, StringComparison.OrdinalIgnoreCase);

    // The status and, per check, its description and data: a failing /readyz says why.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
                data = e.Value.Data,
            }),
        }, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
