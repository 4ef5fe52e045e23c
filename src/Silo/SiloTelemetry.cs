using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics;
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

    /// <summary>Orleans' meter (Orleans 10).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The .NET runtime's meter, built in since .NET 9.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>The name under which OpenTelemetry's listener takes part in <see cref="IMetricsBuilder"/>'s rules.</summary>
    private const string ListenerName = "OpenTelemetry";

    /// <summary>
    /// Exports the meters through the host's metrics rules rather than OpenTelemetry's AddMeter, which listens to every
    /// meter of the name in the process: a silo's "Orleans.Raft" and Orleans' meters are its host's own (created by its
    /// IMeterFactory), so a process of several silos (the tests') exports each silo's alone. The runtime's is global.
    /// </summary>
    public static IHostApplicationBuilder AddSiloTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Metrics.EnableMetrics(RaftMetrics.MeterName, instrumentName: null, listenerName: ListenerName, scopes: MeterScope.Local);
        builder.Metrics.EnableMetrics(OrleansMeterName, instrumentName: null, listenerName: ListenerName, scopes: MeterScope.Local);
        builder.Metrics.EnableMetrics(RuntimeMeterName, instrumentName: null, listenerName: ListenerName, scopes: MeterScope.Global);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            // Each scrape reads the instruments anew: a scraper asks every few seconds, and a cached answer would lag writes.
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* settings itself.
            if (otlp) metrics.AddOtlpExporter();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapSiloTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath);
        return app;
    }
}
