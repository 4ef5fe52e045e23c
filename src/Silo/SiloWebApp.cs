using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// The silo's web application: the Orleans silo, the Orleans dashboard, the Raft console at /raft, the API under
/// /api, Prometheus metrics at /metrics and the probes /healthz and /readyz, on one port. Program runs it; tests start it in process.
/// </summary>
public static class SiloWebApp
{
    /// <summary>"Sqlite" (the default) or "InMemory" (tests and demos), under the "Raft" section.</summary>
    public const string StorageKey = "Storage";

    /// <summary>True to call AddRaftFaultInjection: off in appsettings.json, on in appsettings.Development.json.</summary>
    public const string FaultInjectionKey = "EnableFaultInjection";

    /// <summary>Tests' lost-fsync crashes only: see <see cref="Orleans.Raft.Storage.SqliteRaftStorageOptions.RecordDurableWalLengthForTests"/>.</summary>
    public const string RecordDurableWalKey = "RecordDurableWalLengthForTests";

    /// <summary>
    /// Builds the application from command-line arguments and appsettings.json. Throws
    /// <see cref="SiloConfigurationException"/> when the configuration is unusable. <paramref name="configure"/> runs
    /// last, before the app is built: a host (or a test) adds its own services, such as a trace exporter.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The console's files are copied next to the assembly, so any working directory serves them.
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--instance"] = "Silo:Instance",
            ["--silo-port"] = "Silo:SiloPort",
            ["--gateway-port"] = "Silo:GatewayPort",
            ["--dashboard-port"] = "Silo:DashboardPort",
            ["--primary-port"] = "Silo:PrimarySiloPort",
            ["--group"] = "Raft:Group",
            ["--groups"] = "Raft:Groups",
            ["--replication-factor"] = "Raft:ReplicationFactor",
            ["--node"] = "Node:Name",
            ["--data"] = "Node:DataDirectory",
            ["--initial-nodes"] = "Cluster:InitialNodes",
            ["--bind"] = "Web:BindAddress",
            ["--access-token"] = "Web:AccessToken",
            ["--read-only-token"] = "Web:ReadOnlyToken",
            ["--advertise"] = "Silo:AdvertisedAddress",
            ["--cluster"] = "Cluster:Provider",
            ["--cluster-connection"] = "Cluster:ConnectionString",
            ["--tls-certificate"] = "Tls:CertificatePath",
            ["--tls-key"] = "Tls:CertificateKeyPath",
            ["--tls-ca"] = "Tls:CaCertificatePath",
        });

        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        if (silo.Instance < 0 || silo.Instance > 1000)
            throw new SiloConfigurationException($"Silo:Instance must be between 0 and 1000, not {silo.Instance}");
        // Instance 0 is the development primary: its own silo port, unless told otherwise.
        if (silo.Instance == 0 && builder.Configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.PrimarySiloPort)}"] is null)
            silo.PrimarySiloPort = silo.SiloPort;
        var webSection = builder.Configuration.GetSection(WebOptions.SectionName);
        var web = webSection.Get<WebOptions>() ?? new WebOptions();
        var bindAddress = web.Validate();
        builder.Services.Configure<WebOptions>(webSection);
        builder.Services.AddSingleton<AuthFailureLimiter>();

        var node = builder.Configuration.GetSection(NodeOptions.SectionName).Get<NodeOptions>() ?? new NodeOptions();
        var nodeName = node.Name ?? NodeOptions.DefaultName(silo.Instance);
        if (!ReplicaKey.IsValidName(nodeName))
            throw new SiloConfigurationException($"{NodeOptions.SectionName}:{nameof(NodeOptions.Name)} must be letters, digits, '-', '_' or '.', not '{nodeName}'");
        var initialNodes = RaftNodeOptions.ParseList([builder.Configuration[$"{RaftNodeOptions.ClusterSectionName}:{nameof(RaftNodeOptions.InitialNodes)}"]]);
        // Without a list, the cluster is instance 0's lone node; the other local silos serve clients and hold no replicas.
        if (initialNodes.Length == 0 && silo.Instance > 0) initialNodes = [NodeOptions.DefaultName(0)];
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{RaftNodeOptions.NodeSectionName}:{nameof(RaftNodeOptions.Name)}"] = nodeName,
            [$"{RaftNodeOptions.ClusterSectionName}:{nameof(RaftNodeOptions.InitialNodes)}"] = string.Join(",", initialNodes),
        });

        var raft = builder.Configuration.GetSection(RaftOptions.SectionName);
        var storage = raft.GetValue<string>(StorageKey) ?? "Sqlite";
        if (!storage.Equals("Sqlite", StringComparison.OrdinalIgnoreCase) && !storage.Equals("InMemory", StringComparison.OrdinalIgnoreCase))
            throw new SiloConfigurationException($"{RaftOptions.SectionName}:{StorageKey} must be Sqlite or InMemory, not '{storage}'");
        var inMemory = storage.Equals("InMemory", StringComparison.OrdinalIgnoreCase);
        var dataDirectory = Path.GetFullPath(node.DataDirectory ?? Path.Combine("data", nodeName));
        var groups = RaftGroupLayout.GroupCount(WholeNumber(raft, nameof(RaftOptions.Groups)), initialNodes);
        if (groups < 1) throw new SiloConfigurationException($"{RaftOptions.SectionName}:{nameof(RaftOptions.Groups)} (--groups) must be at least 1, not {groups}");
        if (!inMemory) NodeDirectory.Claim(dataDirectory, nodeName, groups);
        var faultInjection = raft.GetValue<bool>(FaultInjectionKey);

        var siloPort = silo.SiloPort + silo.Instance;
        var gatewayPort = silo.GatewayPort + silo.Instance;
        // Port 0 (tests) lets the system pick a free port.
        var dashboardPort = silo.DashboardPort == 0 ? 0 : silo.DashboardPort + silo.Instance;

        var tls = SiloTls.Load(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bindAddress, dashboardPort, listen =>
        {
            // One port, HTTPS only: a plain-HTTP listener beside it would carry the access token in the clear.
            if (tls.Https) listen.UseHttps(tls.Certificate!);
        }));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<RaftMetricsReader>();
        builder.Services.AddSingleton(sp => new ConsoleTimeline(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddHostedService<TimelineWatcher>();
        builder.AddSiloTelemetry();
        builder.Services.AddRaftHealthChecks();
        builder.UseOrleans(orleans =>
        {
            orleans.UseRaftClustering(builder.Configuration, silo, siloPort, gatewayPort);
            tls.Apply(orleans);
            // The replicas' keep-alive reminder fires every few seconds; Orleans' default minimum is a minute.
            orleans.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            orleans.AddDashboard();
            orleans.AddRaft(builder.Configuration);
            // Each node its own memory, as each has its own disk.
            if (inMemory) orleans.UseInMemoryRaftStorage(new Orleans.Raft.Storage.InMemoryRaftStorage());
            else
            {
                var recordDurableWal = raft.GetValue<bool>(RecordDurableWalKey);
                orleans.UseSqliteRaftStorage(o =>
                {
                    o.DataDirectory = dataDirectory;
                    o.RecordDurableWalLengthForTests = recordDurableWal;
                });
            }
            if (faultInjection) orleans.AddRaftFaultInjection();
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<AccessTokenMiddleware>();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            // Unhandled errors and bare status codes (unknown route, wrong method) as problem+json too.
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOrleansDashboard();
        app.MapRaftApi();
        app.MapSiloTelemetry();
        app.MapRaftHealthChecks();
        // Resolve the reader now, so its counters count from the start.
        app.Services.GetRequiredService<RaftMetricsReader>();

        app.Lifetime.ApplicationStarted.Register(() => app.Logger.SiloStarted(
            silo.Instance, siloPort, gatewayPort, string.Join(", ", app.Urls), string.Join(", ", app.Urls),
            string.IsNullOrEmpty(web.AccessToken) ? "" : " (an access token is required)"));
        app.Lifetime.ApplicationStarted.Register(() => tls.Log(app.Logger, silo.ParseAdvertisedAddress()));
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.SiloConfiguration(
            nodeName, initialNodes.Length == 0 ? $"{nodeName} alone (a development cluster)" : string.Join(", ", initialNodes),
            inMemory ? "in memory (lost when the process ends)" : $"SQLite in {dataDirectory}",
            faultInjection ? "ON, anyone who reaches this silo can partition, slow or stop replicas" : "off",
            $"{RaftOptions.SectionName}:{FaultInjectionKey}"));
        return app;
    }

    /// <summary>An optional whole-number setting of a section; throws <see cref="SiloConfigurationException"/> when it is something else.</summary>
    private static int? WholeNumber(IConfigurationSection section, string key)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value)) return null;
        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new SiloConfigurationException($"{section.Path}:{key} must be a whole number, not '{value}'");
    }
}
