using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Silo;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Web.Tests;

/// <summary>The number of groups is fixed when a cluster is created: a node's data directory records it, and a node started with another refuses.</summary>
public sealed class NodeDirectoryGroupsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-groups-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private string[] Arguments(params string[] extra) => WebSilo.Arguments(out _, ["--Raft:Storage", "Sqlite", "--node", "n1", "--data", _data, .. extra]);

    [Fact]
    public async Task A_node_restarted_with_another_number_of_groups_refuses_and_says_which_it_was_created_with()
    {
        // Building claims the directory; nothing needs to start.
        await using (SiloWebApp.Build(Arguments("--groups", "2"))) { }
        using (var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(_data, NodeDirectory.MarkerFileName))))
            Assert.Equal(2, marker.RootElement.GetProperty("Groups").GetInt32());

        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(Arguments("--groups", "3")));
        Assert.Equal($"node 'n1' (data directory {_data}) belongs to a cluster created with 2 groups, not 3: the number of groups decides which group holds each key, " +
            "so it is fixed when a cluster is created. Start the node with --groups 2", ex.Message);
        // The lone node's default, one group, is no different.
        Assert.Contains("created with 2 groups, not 1", Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(Arguments())).Message);
        await using (SiloWebApp.Build(Arguments("--groups", "2"))) { }
    }

    [Fact]
    public async Task The_silo_process_exits_with_code_2_when_started_with_another_number_of_groups()
    {
        await using (SiloWebApp.Build(Arguments("--groups", "4"))) { }
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.Raft.Silo.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in new[] { dll }.Concat(Arguments("--groups", "1"))) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        await stdout;
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith($"error: node 'n1' (data directory {_data}) belongs to a cluster created with 4 groups, not 1", await stderr);
    }

    [Fact]
    public async Task A_directory_from_before_groups_were_recorded_holds_one_group_if_it_holds_a_database()
    {
        File.WriteAllText(Path.Combine(_data, NodeDirectory.MarkerFileName), """{"Node":"n1","Claimed":"2026-01-01T00:00:00+00:00"}""");
        File.WriteAllText(Path.Combine(_data, "raft.db"), "");
        Assert.Contains("created with 1 group, not 2", Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(Arguments("--groups", "2"))).Message);
        await using (SiloWebApp.Build(Arguments())) { }
        using var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(_data, NodeDirectory.MarkerFileName)));
        Assert.Equal(1, marker.RootElement.GetProperty("Groups").GetInt32());
    }

    [Fact]
    public async Task Every_group_of_a_node_is_in_its_one_SQLite_store()
    {
        var app = SiloWebApp.Build(Arguments("--groups", "2"));
        await using (app)
        {
            await app.StartAsync();
            var storage = app.Services.GetRequiredService<IRaftStorage>();
            var stored = await WaitForAsync(async () =>
            {
                var replicas = await storage.ListReplicasAsync(CancellationToken.None);
                return replicas.Count == 10 ? replicas : null;
            });
            Assert.Equal(2, stored.Select(r => r.Group).Distinct().Count());
            Assert.Equal(["raft.db"], Directory.GetFiles(_data, "*.db").Select(Path.GetFileName));
            await app.StopAsync();
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await probe() is { } result) return result;
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public void Groups_below_one_or_not_a_number_are_refused()
    {
        Assert.Equal("Raft:Groups (--groups) must be at least 1, not 0", Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(Arguments("--groups", "0"))).Message);
        Assert.Equal("Raft:Groups must be a whole number, not 'many'", Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(Arguments("--groups", "many"))).Message);
    }
}
