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
try
{
    await app.RunAsync();
}
catch (OrleansConfigurationException ex)
{
    // A setting the silo refused at start (an options check, or a number of groups the other nodes do not have).
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
return 0;
