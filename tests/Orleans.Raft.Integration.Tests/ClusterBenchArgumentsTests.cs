using System.CommandLine;
using Orleans.Raft.Bench;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Integration.Tests;

/// <summary>'bench cluster' and 'bench etcd' parse their options into the settings they run with; a bad command line runs nothing.</summary>
public sealed class ClusterBenchArgumentsTests
{
    [Fact]
    public async Task Without_options_the_cluster_bench_runs_the_full_matrix_on_nodes_of_its_own()
    {
        var (code, settings, _) = await ParseAsync("cluster");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.NotNull(settings);
        Assert.Equal([1, 16, 64, 256], settings.Clients);
        Assert.Equal(10, settings.Seconds);
        Assert.Equal(20, settings.WarmupSeconds);
        Assert.Equal(60, settings.SteadySeconds);
        Assert.Equal(64, settings.SteadyClients);
        Assert.Equal(10, settings.FailoverTrials);
        Assert.Equal(["ReadIndex"], settings.ReadModes);
        Assert.Null(settings.Gateways);
        Assert.Null(settings.JsonPath);
    }

    [Fact]
    public async Task Gateways_client_counts_durations_and_the_json_file_are_taken_as_given()
    {
        var (code, settings, _) = await ParseAsync("cluster", "--gateway", "127.0.0.1:30000, 127.0.0.1:30001", "--clients", "1,64", "--seconds", "2.5",
            "--warmup", "0", "--steady-seconds", "5", "--failover-trials", "3", "--json", "out.json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.NotNull(settings);
        Assert.Equal("127.0.0.1:30000,127.0.0.1:30001", settings.Gateways);
        Assert.Equal([1, 64], settings.Clients);
        Assert.Equal(2.5, settings.Seconds);
        Assert.Equal(0, settings.WarmupSeconds);
        Assert.Equal(5, settings.SteadySeconds);
        Assert.Equal(3, settings.FailoverTrials);
        Assert.Equal("out.json", settings.JsonPath);
    }

    [Fact]
    public async Task Read_modes_are_matched_in_any_case_and_kept_in_order()
    {
        var (code, settings, _) = await ParseAsync("cluster", "--read-modes", "lease,LOG,ReadIndex");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(["Lease", "Log", "ReadIndex"], settings!.ReadModes);
    }

    [Theory]
    [InlineData("--read-modes", "Lease,Fast", "--read-modes wants ReadIndex, Lease, Log")]
    [InlineData("--read-modes", "Log,log", "--read-modes names Log twice")]
    [InlineData("--read-modes", "1", "--read-modes wants ReadIndex, Lease, Log")]
    [InlineData("--gateway", "localhost", "--gateway wants HOST:PORT, got 'localhost'")]
    [InlineData("--clients", "0,16", "--clients wants numbers from 1 to 4096")]
    public async Task A_bad_value_is_a_usage_error_and_nothing_runs(string option, string value, string error)
    {
        var (code, settings, stderr) = await ParseAsync("cluster", option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Null(settings);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_modes_with_a_running_cluster_are_refused_since_its_own_configuration_decides()
    {
        var (code, settings, stderr) = await ParseAsync("cluster", "--gateway", "127.0.0.1:30000", "--read-modes", "Lease");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Null(settings);
        Assert.Contains("--read-modes starts a cluster per mode", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_etcd_bench_takes_the_same_options_but_no_gateway_or_read_modes()
    {
        var (code, settings, _) = await ParseAsync("etcd", "--clients", "16", "--failover-trials", "0", "--steady-seconds", "0");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal([16], settings!.Clients);
        Assert.Equal(0, settings.FailoverTrials);
        Assert.Equal(0, settings.SteadySeconds);
        Assert.Null(settings.Gateways);
        Assert.Equal(ExitCodes.Usage, (await ParseAsync("etcd", "--gateway", "127.0.0.1:2379")).Code);
        Assert.Equal(ExitCodes.Usage, (await ParseAsync("etcd", "--read-modes", "Lease")).Code);
    }

    [Fact]
    public void The_bench_verb_has_the_cluster_etcd_and_compare_subcommands()
    {
        var bench = BenchCli.Build(ClientIO.ForTest(new StringWriter(), new StringWriter())).Subcommands.Single(c => c.Name == "bench");
        Assert.Equal(["cluster", "etcd", "compare"], bench.Subcommands.Select(c => c.Name));
    }

    /// <summary>Parses a command line of one subcommand and runs it with an action that only keeps the settings.</summary>
    private static async Task<(int Code, ClusterBenchSettings? Settings, string Stderr)> ParseAsync(string verb, params string[] args)
    {
        ClusterBenchSettings? seen = null;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var io = ClientIO.ForTest(stdout, stderr);
        var context = new ClientContext(io, ClusterConnection.Connector);
        ClusterBenchCommands.Run run = (settings, _) =>
        {
            seen = settings;
            return Task.FromResult(ExitCodes.Ok);
        };
        var root = new RootCommand("test") { GlobalOptions.Verbose };
        root.Add(verb == "cluster" ? ClusterBenchCommands.Cluster(context, run) : ClusterBenchCommands.Etcd(context, run));
        var code = await ClientCli.InvokeAsync(root, [verb, .. args], io);
        return (code, seen, stderr.ToString());
    }
}
