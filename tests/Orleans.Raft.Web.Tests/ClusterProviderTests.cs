using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>Cluster:Provider: which membership table the silo gets, and the errors that stop it at start.</summary>
public sealed class ClusterProviderTests
{
    [Fact]
    public void Redis_without_a_connection_string_is_refused_and_the_error_says_what_to_set()
    {
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, "--cluster", "Redis")));
        Assert.Contains("Cluster:ConnectionString is required", ex.Message);
        Assert.Contains("--cluster-connection", ex.Message);
    }

    [Fact]
    public void An_unknown_provider_is_refused()
    {
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, "--cluster", "Consul")));
        Assert.Equal("Cluster:Provider must be Development or Redis, not 'Consul'", ex.Message);
    }

    [Fact]
    public void An_advertised_address_needs_Redis()
    {
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, "--advertise", "192.0.2.7")));
        Assert.Contains("Silo:AdvertisedAddress needs Cluster:Provider Redis", ex.Message);
    }

    [Fact]
    public void A_malformed_advertised_address_is_refused()
    {
        var ex = Assert.Throws<SiloConfigurationException>(() =>
            SiloWebApp.Build(WebSilo.Arguments(out _, "--cluster", "Redis", "--cluster-connection", "127.0.0.1:6379", "--advertise", "my-host")));
        Assert.Contains("Silo:AdvertisedAddress must be this machine's IP address", ex.Message);
    }

    [Fact]
    public async Task Redis_keeps_the_membership_table_in_Redis_and_Development_does_not()
    {
        // Building connects to nothing: the table opens its connection when the silo starts.
        await using (var redis = SiloWebApp.Build(WebSilo.Arguments(out _, "--cluster", "redis", "--cluster-connection", "127.0.0.1:6379")))
        {
            Assert.Equal("RedisMembershipTable", redis.Services.GetRequiredService<IMembershipTable>().GetType().Name);
        }
        await using var development = SiloWebApp.Build(WebSilo.Arguments(out _));
        Assert.NotEqual("RedisMembershipTable", development.Services.GetRequiredService<IMembershipTable>().GetType().Name);
    }

    [Fact]
    public async Task The_silo_process_exits_with_code_2_when_Redis_has_no_connection_string()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.Raft.Silo.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in new[] { dll }.Concat(WebSilo.Arguments(out _, "--cluster", "Redis"))) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        await stdout;
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("error: Cluster:Provider is Redis, so Cluster:ConnectionString is required", await stderr);
    }
}
