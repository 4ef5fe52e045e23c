using Orleans.Raft.Bench;
using Orleans.Raft.ClientApp;
using Orleans.Raft.ClientApp.Scripts;

namespace Orleans.Raft.Integration.Tests;

public sealed class ScriptParserTests
{
    [Theory]
    [InlineData("frobnicate x", 1, "unknown command 'frobnicate': expected start, stop, send, set, get, split, join or after")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nafter 3 {\nset k v", 3, "'after' block is never closed: expected '}'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\n}", 3, "'}' without an open 'after' block")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nafter x {\n}", 3, "expected a number of ticks (0 to 1000000) after 'after', got 'x'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nafter 3 { set k v }", 3, "expected 'after N {' with the block on the following lines")]
    [InlineData("start a b", 1, "expected 'start NAME --peer-names A,B,...'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nsend {\"destination\": [\"a\"], \"type\": \"debug-frob\"}", 3, "unknown message type 'debug-frob': expected one of debug-startElection")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nsend {not json", 3, "expected a JSON object after 'send'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nsend {\"type\": \"debug-startElection\"}", 3, "the message needs a non-empty \"destination\" array of node names")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\n\n# comment\nset c k v", 5, "unknown node 'c': no 'start c ...' in the script")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nset k", 3, "expected 'set [NODE] KEY VALUE'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nget a b c", 3, "expected 'get [NODE] KEY'")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nstart c --peer-names a", 3, "'c' names peers that differ from the group's: every start must name the same members")]
    [InlineData("start a --peer-names b\nstart b --peer-names a\nsplit p", 3, "expected 'split NAME NODE1,NODE2,...'")]
    public void A_malformed_script_names_the_file_the_line_and_what_was_expected(string text, int line, string expected)
    {
        var ex = Assert.Throws<ScriptSyntaxException>(() => ScriptParser.Parse(text, "bad.chi"));
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"bad.chi:{line}: {expected}", ex.Message);
    }

    [Fact]
    public void The_papers_script_parses_into_nested_blocks()
    {
        var script = ScriptParser.ParseFile(Paths.Scenario("test-partition2election-replication.chi"));
        Assert.Equal(7, script.Commands.Count);
        var depth = 0;
        IReadOnlyList<ScriptCommand> block = script.Commands;
        while (block.LastOrDefault() is AfterCommand after)
        {
            depth++;
            block = after.Block;
        }
        Assert.Equal(6, depth);
        Assert.Equal(new GetCommand(22, null, "foo"), block.Single());
        var split = ScriptParser.Flatten(script.Commands).OfType<SplitCommand>().Single();
        Assert.Equal(["test4", "test5"], split.Nodes);
    }

    [Fact]
    public async Task The_client_rejects_a_malformed_script_before_anything_runs()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "start a --peer-names b\nstart b --peer-names a\nset a k v\nbogus\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await BenchCli.InvokeAsync(["run", path], ClientIO.ForTest(stdout, stderr));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout.ToString());
        Assert.Equal($"error: {path}:4: unknown command 'bogus': expected start, stop, send, set, get, split, join or after\n", stderr.ToString());
        File.Delete(path);
    }
}

public sealed class InProcessScriptTests
{
    private const string ThreeNodes = "start a --peer-names b,c\nstart b --peer-names a,c\nstart c --peer-names a,b\n";

    [Fact]
    public async Task A_request_through_a_stopped_node_prints_an_error_line_and_the_script_goes_on()
    {
        var script = ScriptParser.Parse(ThreeNodes + "after 20 {\nset a foo bar\nstop b\nget b foo\nget a foo\n}\n");
        var output = new StringWriter();
        var code = await RunInProcessVerb.RunAsync(script, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
        Assert.True(code == 0, output.ToString());
        Assert.Equal(3, lines.Length);
        Assert.Equal("setResponse (a): foo => bar", lines[0]);
        Assert.StartsWith("getResponse (b): foo ERROR: ", lines[1]);
        Assert.Contains("stopped", lines[1]);
        Assert.Equal("getResponse (a): foo => bar", lines[2]);
    }

    [Fact]
    public async Task An_in_process_run_starts_only_the_scripts_group()
    {
        ReplicaStatus[]? defaultGroup = null;
        var script = ScriptParser.Parse(ThreeNodes);
        var code = await RunInProcessVerb.RunAsync(script, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), TextWriter.Null,
            inspect: async client => defaultGroup = await client.GetGrain<IKeyValueGatewayGrain>("default").GetStatus());
        Assert.Equal(0, code);
        // The gateway lists the configured replicas; none of them runs.
        Assert.NotNull(defaultGroup);
        Assert.DoesNotContain(defaultGroup, s => s.Running);
    }
}

internal static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Debug or Release).</summary>
    public static string Configuration => Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;

    public static string Scenario(string name) => Path.Combine(RepositoryRoot, "scenarios", name);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Raft.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Runs a scenario the way a user does: the bench tool's 'run FILE', with a 2 s request timeout to keep tests short.</summary>
    public static async Task<string[]> RunScenarioAsync(string name)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await BenchCli.InvokeAsync(["run", Scenario(name), "--request-timeout-ms", "2000"], ClientIO.ForTest(stdout, stderr));
        Assert.True(code == 0, $"exit code {code}\n{stdout}\n{stderr}");
        return [.. stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))];
    }
}

/// <summary>Each of the paper's scripts, run in-process, gives the outcome the paper reports.</summary>
public sealed class PartitionElectionReplicationScenarioTest
{
    [Fact]
    public async Task The_majority_works_through_the_partition_and_a_caught_up_node_is_elected()
    {
        var lines = await Paths.RunScenarioAsync("test-partition2election-replication.chi");
        Assert.Equal(5, lines.Length);
        Assert.Equal("setResponse (test): foo => bar", lines[0]);
        Assert.StartsWith("setResponse (test4): foo ERROR: Request timed out", lines[1]);
        Assert.Equal("setResponse (test3): foo => 1", lines[2]);
        Assert.Matches(@"^getResponse \(test[123]?\): foo => 1$", lines[3]);
        // test5 missed "set foo 1" but caught up, so it wins the election and serves the new value.
        Assert.Equal("getResponse (test5): foo => 1", lines[4]);
    }
}

public sealed class FailStopScenarioTest
{
    [Fact]
    public async Task Three_of_five_make_progress()
    {
        var lines = await Paths.RunScenarioAsync("test-failstop-hack2.chi");
        Assert.Equal(
            ["setResponse (test): foo => bar", "getResponse (test2): foo => bar", "setResponse (test): foo => 3", "getResponse (test2): foo => 3"],
            lines);
    }
}

public sealed class FailStopMinorityScenarioTest
{
    [Fact]
    public async Task Two_of_five_time_out_on_every_request()
    {
        var lines = await Paths.RunScenarioAsync("test-failstop-hack2-split3.chi");
        Assert.Equal(4, lines.Length);
        Assert.Equal("setResponse (test): foo => bar", lines[0]);
        Assert.StartsWith("getResponse (test2): foo ERROR: Request timed out", lines[1]);
        Assert.StartsWith("setResponse (test): foo ERROR: Request timed out", lines[2]);
        Assert.StartsWith("getResponse (test2): foo ERROR: Request timed out", lines[3]);
    }
}
