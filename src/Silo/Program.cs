using Orleans.Raft.Silo;

WebApplication app;
try
{
    app = SiloWebApp.Build(args);
}
catch (SiloConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
await app.RunAsync();
return 0;
