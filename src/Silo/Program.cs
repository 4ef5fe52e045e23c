using System.Net;
using Orleans.Dashboard;
using Orleans.Raft.Hosting;
using Orleans.Raft.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--instance"] = "Silo:Instance",
    ["--silo-port"] = "Silo:SiloPort",
    ["--gateway-port"] = "Silo:GatewayPort",
    ["--dashboard-port"] = "Silo:DashboardPort",
    ["--primary-port"] = "Silo:PrimarySiloPort",
    ["--group"] = "Raft:Group",
});

var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
if (silo.Instance < 0 || silo.Instance > 1000)
{
    Console.Error.WriteLine($"error: Silo:Instance must be between 0 and 1000, not {silo.Instance}");
    return 2;
}
var siloPort = silo.SiloPort + silo.Instance;
var gatewayPort = silo.GatewayPort + silo.Instance;
var dashboardPort = silo.DashboardPort + silo.Instance;

builder.WebHost.UseUrls($"http://localhost:{dashboardPort}");
builder.UseOrleans(orleans =>
{
    orleans.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, silo.PrimarySiloPort), silo.ServiceId, silo.ClusterId);
    orleans.UseInMemoryReminderService();
    orleans.AddDashboard();
    orleans.AddRaft(builder.Configuration, raft =>
    {
        // Only the first silo bootstraps the group; the others join the cluster and serve clients.
        if (silo.Instance > 0) raft.StartReplicas = false;
    });
});

var app = builder.Build();
app.MapOrleansDashboard();
app.Logger.LogInformation("Silo {Instance}: silo port {SiloPort}, gateway port {GatewayPort}, dashboard http://localhost:{DashboardPort}",
    silo.Instance, siloPort, gatewayPort, dashboardPort);
await app.RunAsync();
return 0;
