using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// OpenTelemetry metrics of the silo: the "Orleans.Raft" meter, Orleans' meters and the .NET runtime's, scraped by
/// Prometheus at /metrics and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, pushed over OTLP too. Traces of client requests
/// (the "Orleans.Raft" activity source) when tracing is on: by Telemetry:Tracing, or by setting the OTLP endpoint,
/// which exports them.
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

    /// <summary>True to trace client requests even with no OTLP endpoint (an exporter added by the host or a test).</summary>
    public const string TracingKey = "Telemetry:Tracing";

    /// <summary>The share of client requests traced, 0 to 1 (default 1); a request's spans are all kept or all dropped.</summary>
    public const string TraceSampleRatioKey = "Telemetry:TraceSampleRatio";

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
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            // Each scrape reads the instruments anew: a scraper asks every few seconds, and a cached answer would lag writes.
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* settings itself.
            if (otlp) metrics.AddOtlpExporter();
        });
        if (TracingEnabled(builder.Configuration))
        {
            var ratio = TraceSampleRatio(builder.Configuration);
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(RaftTracing.SourceName).SetSampler(RaftRootSampler.ParentBased(ratio));
                if (otlp) tracing.AddOtlpExporter();
            });
        }
        return builder;
    }

    /// <summary>
    /// Tracing is off unless asked for: with no exporter its spans would be made for nothing. Throws
    /// <see cref="SiloConfigurationException"/> when the settings are not what they should be.
    /// </summary>
    public static bool TracingEnabled(IConfiguration configuration)
    {
        var text = configuration[TracingKey];
        bool? tracing = text is null ? null : bool.TryParse(text, out var on) ? on
            : throw new SiloConfigurationException($"{TracingKey} must be true or false, not '{text}'");
        return tracing ?? !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
    }

    private static double TraceSampleRatio(IConfiguration configuration)
    {
        var text = configuration[TraceSampleRatioKey];
        if (text is null) return 1;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1) return ratio;
        throw new SiloConfigurationException($"{TraceSampleRatioKey} must be a number from 0 to 1, not '{text}'");
    }

    public static IEndpointRouteBuilder MapSiloTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(ScrapePath);
        return app;
    }
}
