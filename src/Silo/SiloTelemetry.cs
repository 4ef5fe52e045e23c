using OpenTelemetry.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// OpenTelemetry metrics of the silo: the "Orleans.Raft" meter, Orleans' meters and the .NET runtime's, scraped by
/// Prometheus at /metrics and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, pushed over OTLP too.
/// </summary>
public static class SiloTelemetry
{
    public const string ScrapePath = "/metrics";

    /// <summary>The standard OpenTelemetry variable (or setting) that turns the OTLP exporter on.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meters exported: Orleans names its own "Microsoft.Orleans" (the wildcard takes any it adds).</summary>
    public static readonly string[] Meters = [RaftMetrics.MeterName, "Microsoft.Orleans", "Microsoft.Orleans.*", "System.Runtime"];

    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(Meters);
            // Each scrape reads the instruments anew: a scraper asks every few seconds, and a cached answer would lag writes.
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* settings itself.
            if (otlp) metrics.AddOtlpExporter();
        });
        return services;
    }

    public static IEndpointRouteBuilder MapSiloTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath);
        return app;
    }
}
