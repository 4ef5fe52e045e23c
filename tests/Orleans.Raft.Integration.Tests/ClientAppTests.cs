using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Integration.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "get" }, "'get' takes 1 argument, got 0")]
    [InlineData(new[] { "set", "k" }, "'set' takes 2 arguments, got 1")]
    [InlineData(new[] { "frob" }, "unknown command 'frob'")]
    [InlineData(new[] { "--gateway", "nohostport", "get", "k" }, "--gateway wants HOST:PORT, got 'nohostport'")]
    [InlineData(new[] { "--gateway", "h:99999", "get", "k" }, "--gateway wants HOST:PORT, got 'h:99999'")]
    [InlineData(new[] { "get", "k", "--via" }, "--via needs a value")]
    [InlineData(new[] { "--bogus", "get", "k" }, "unknown option --bogus")]
    [InlineData(new string[0], "no command given")]
    public void Bad_arguments_are_usage_errors(string[] args, string message)
    {
        var ex = Assert.Throws<UsageException>(() => CommandLine.Parse(args));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void Options_are_parsed_anywhere_on_the_line()
    {
        var cmd = CommandLine.Parse(["set", "--via", "r2", "k", "v", "--gateway", "127.0.0.1:30001", "--group", "g1"]);
        Assert.Equal("set", cmd.Command);
        Assert.Equal(["k", "v"], cmd.Arguments);
        Assert.Equal("r2", cmd.Via);
        Assert.Equal(("127.0.0.1", 30001), (cmd.GatewayHost, cmd.GatewayPort));
        Assert.Equal("g1", cmd.Group);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ClientCommandsTests(ClusterFixture fixture)
{
    private async Task<(int Code, string Out, string Err)> RunAsync(RaftGroup group, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var cmd = CommandLine.Parse([.. args, "--group", group.Name]);
        var code = await new ClientCommands(fixture.Client, stdout, stderr).RunAsync(cmd);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Get_prints_the_value_alone_and_errors_are_one_line_on_stderr()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "set", "foo", "bar baz"));
        Assert.Equal((0, "bar baz\n", ""), await RunAsync(group, "get", "foo"));
        Assert.Equal((0, "bar baz\n", ""), await RunAsync(group, "--via", "r2", "get", "foo"));
        Assert.Equal((1, "", "error: No such key: nope\n"), await RunAsync(group, "get", "nope"));
        Assert.Equal((1, "", "error: compare failed: foo holds 'bar baz'\n"), await RunAsync(group, "cas", "foo", "x", "y"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "cas", "foo", "bar baz", "y"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "delete", "foo"));
        Assert.Equal((1, "", "error: No such key: foo\n"), await RunAsync(group, "get", "foo"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "append", "log", "a"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "--via", "r2", "append", "log", "b"));
        Assert.Equal((0, "ab\n", ""), await RunAsync(group, "get", "log"));

        var (code, output, error) = await RunAsync(group, "--via", "zz", "get", "foo");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("error: invalid request: unknown replica 'zz' in group '" + group.Name + "' (members: r1, r2, r3)\n", error);
        (code, _, error) = await RunAsync(group, "set", new string('k', 2000), "v");
        Assert.Equal((1, "error: invalid request: the key is 2000 bytes; the limit is 1024 bytes\n"), (code, error));
    }

    [Fact]
    public async Task Fault_commands_change_and_print_the_groups_faults()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        Assert.Equal((0, "partition p: r1,r2\n", ""), await RunAsync(group, "split", "p", "r1,r2"));
        Assert.Equal((0, "partition p: r1,r2\ndrop rate: 0.1\n", ""), await RunAsync(group, "drop", "0.1"));
        Assert.Equal((0, "partition p: r1,r2\ndrop rate: 0.1\ndelay: 1-5 ms\n", ""), await RunAsync(group, "delay", "1", "5"));
        Assert.Equal((0, "drop rate: 0.1\ndelay: 1-5 ms\n", ""), await RunAsync(group, "join", "p"));
        Assert.Equal((0, "no faults\n", ""), await RunAsync(group, "heal"));
        Assert.Equal((0, "stopped: r3\n", ""), await RunAsync(group, "stop", "r3"));
        Assert.Equal("Stopped", (await group.Replica("r3").GetStatus()).Role);
        Assert.Equal((0, "no faults\n", ""), await RunAsync(group, "start", "r3"));
        Assert.Equal((1, "", "error: RATE must be a number, not 'lots'\n"), await RunAsync(group, "drop", "lots"));
        Assert.Equal((1, "", $"error: group '{group.Name}' has no partition named 'q'\n"), await RunAsync(group, "join", "q"));
        await group.WaitForConvergenceAsync();
    }

    [Fact]
    public async Task Status_prints_a_table_with_one_leader_and_elect_moves_it()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();

        var (code, output, _) = await RunAsync(group, "status");
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n');
        Assert.StartsWith("replica", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Single(lines, l => l.Contains(" Leader "));
        Assert.Contains(lines, l => l.StartsWith(leader.Replica + " ") && l.Contains(" Leader "));

        var target = group.Members.First(m => m != leader.Replica);
        Assert.Equal((0, $"election started on {target}\n", ""), await RunAsync(group, "elect", target));
        await group.WaitForLeaderAsync(s => s.Replica == target);
        Assert.Equal((1, "", $"error: unknown replica 'nosuch' in group '{group.Name}' (members: r1, r2, r3)\n"), await RunAsync(group, "elect", "nosuch"));
    }
}
