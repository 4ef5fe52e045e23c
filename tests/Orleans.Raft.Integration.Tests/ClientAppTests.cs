using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Integration.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "get" }, "error: Required argument missing for command: 'get'.")]
    [InlineData(new[] { "set", "k" }, "error: set needs a VALUE, or the value on stdin (set KEY < FILE)")]
    [InlineData(new[] { "frob" }, "error: Unrecognized command or argument 'frob'.")]
    [InlineData(new[] { "--gateway", "nohostport", "get", "k" }, "error: --gateway wants HOST:PORT, got 'nohostport'")]
    [InlineData(new[] { "--gateway", "h:99999", "get", "k" }, "error: --gateway wants HOST:PORT, got 'h:99999'")]
    [InlineData(new[] { "--gateway", "h:1,nohostport", "get", "k" }, "error: --gateway wants HOST:PORT, got 'nohostport'")]
    [InlineData(new[] { "--gateway", "h:1,", "get", "k" }, "error: --gateway wants HOST:PORT, got ''")]
    [InlineData(new[] { "get", "k", "--via" }, "error: Required argument missing for option: '--via'.")]
    [InlineData(new[] { "get", "k", "--consistency", "x" }, "error: --consistency wants l (linearizable, the default) or s (serializable), got 'x'")]
    [InlineData(new[] { "get", "k", "--consistency", "" }, "error: --consistency wants l (linearizable, the default) or s (serializable), got ''")]
    [InlineData(new[] { "get", "k", "--consistency", "sequential" }, "error: --consistency wants l (linearizable, the default) or s (serializable), got 'sequential'")]
    [InlineData(new[] { "get", "k", "--consistency" }, "error: Required argument missing for option: '--consistency'.")]
    [InlineData(new[] { "--bogus", "get", "k" }, "error: Unrecognized command or argument '--bogus'.")]
    [InlineData(new[] { "--group", "a/b", "get", "k" }, "error: 'a/b' is not a valid group name")]
    [InlineData(new[] { "drop", "lots" }, "error: RATE wants a number from 0 to 1, got 'lots'")]
    [InlineData(new[] { "delay", "50", "5" }, "error: MIN_MS (50) is more than MAX_MS (5): give the shorter delay first")]
    [InlineData(new[] { "cas", "k", "v" }, "error: cas takes KEY EXPECTED NEW (or --absent KEY NEW)")]
    [InlineData(new[] { "status", "-o", "yaml" }, "error: Argument 'yaml' not recognized.")]
    [InlineData(new[] { "member", "remove" }, "error: Required argument missing for command: 'remove'.")]
    [InlineData(new[] { "member", "add", "--node", "a/b" }, "error: 'a/b' is not a valid node name")]
    [InlineData(new[] { "leader", "transfer" }, "error: Required argument missing for command: 'transfer'.")]
    [InlineData(new[] { "node", "drain", "a b" }, "error: 'a b' is not a valid node name")]
    [InlineData(new string[0], "error: Required command was not provided.")]
    public async Task A_usage_error_is_one_error_line_and_a_pointer_to_help_not_the_usage(string[] args, string message)
    {
        var (code, output, error) = await Cli.RunOfflineAsync(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        var lines = error.TrimEnd().Split('\n');
        Assert.StartsWith(message, lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Matches("^Run '.*--help' for usage.$", lines[1]);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("get", "--help")]
    public async Task Help_goes_to_stdout_with_exit_0(params string[] args)
    {
        var (code, output, error) = await Cli.RunOfflineAsync(args);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("Usage:", output);
    }

    [Fact]
    public async Task Help_and_completion_list_every_verb_from_the_one_list()
    {
        var (_, help, _) = await Cli.RunOfflineAsync("--help");
        var (_, completions, _) = await Cli.RunOfflineAsync("[suggest:23]", "Orleans.Raft.ClientApp ");
        Assert.NotEmpty(ClientCli.Verbs);
        foreach (var verb in ClientCli.Verbs)
        {
            var name = verb.Create(new ClientContext(ClientIO.ForTest(TextWriter.Null, TextWriter.Null), null!)).Name;
            Assert.Contains($"\n  {name} ", help);
            Assert.Contains(name, completions.Split('\n'));
        }
    }

    [Fact]
    public async Task A_silos_http_port_fails_fast_with_a_hint_to_the_gateway_port()
    {
        // Answers HTTP the way the silo's web port does: only once a request's headers end, which Orleans never sends.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var seen = new StringBuilder();
                        var buffer = new byte[1024];
                        while (!seen.ToString().Contains("\r\n\r\n"))
                        {
                            var n = await socket.ReceiveAsync(buffer, stop.Token);
                            if (n == 0) return;
                            seen.Append(Encoding.Latin1.GetString(buffer, 0, n));
                        }
                        await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
                    }
                });
            }
        });

        var (code, output, error) = await Cli.RunAsync(ClusterConnection.Connector, ["--gateway", $"127.0.0.1:{port}", "get", "k"]);
        await stop.CancelAsync();
        Assert.Equal((ExitCodes.Unreachable, ""), (code, output));
        Assert.Equal($"error: 127.0.0.1:{port} speaks HTTP: that is the silo's web port; the Orleans gateway port is 30000 by default (--gateway 127.0.0.1:30000)\n", error);
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (code, _, error) = await Cli.RunAsync(ClusterConnection.Connector, ["--gateway", $"127.0.0.1:{port}", "get", "k"]);
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.StartsWith($"error: cannot reach a silo at 127.0.0.1:{port}: ", error);
    }

    [Fact]
    public async Task Gateways_where_nothing_listens_are_unreachable_and_the_error_names_them_all()
    {
        var ports = new int[2];
        for (var i = 0; i < ports.Length; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            ports[i] = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var (code, _, error) = await Cli.RunAsync(ClusterConnection.Connector, ["--gateway", $"127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}", "get", "k"]);
        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.StartsWith($"error: cannot reach a silo at 127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}: ", error);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ClientCommandsTests(ClusterFixture fixture)
{
    private Task<(int Code, string Out, string Err)> RunAsync(RaftGroup group, params string[] args) => Cli.RunAsync(fixture.Client, [.. args, "--group", group.Name]);

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
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "cas", "--absent", "foo", "v"));

        var (code, output, error) = await RunAsync(group, "--via", "zz", "get", "foo");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("error: invalid request: unknown replica 'zz' in group '" + group.Name + "' (members: r1, r2, r3)\n", error);
        (code, _, error) = await RunAsync(group, "set", new string('k', 2000), "v");
        Assert.Equal((1, "error: invalid request: the key is 2000 bytes; the limit is 1024 bytes\n"), (code, error));
    }

    [Fact]
    public async Task Get_takes_consistency_l_or_s_in_etcdctls_spelling_or_the_whole_word()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "set", "foo", "bar"));
        // Every replica has applied it, so even a serializable get, from any of them, must see it.
        await group.WaitForConvergenceAsync((await group.Gateway.Get("foo")).Index);

        foreach (var consistency in new[] { "l", "s", "linearizable", "serializable", "S", "Linearizable" })
        {
            Assert.Equal((0, "bar\n", ""), await RunAsync(group, "get", "foo", "--consistency", consistency));
        }
        Assert.Equal((0, "bar\n", ""), await RunAsync(group, "--via", "r3", "get", "--consistency", "s", "foo"));
        Assert.Equal((1, "", "error: No such key: nope\n"), await RunAsync(group, "get", "nope", "--consistency", "s"));
    }

    [Fact]
    public async Task A_serializable_get_answers_where_no_leader_is_and_a_linearizable_one_times_out()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var set = await group.Gateway.Set("foo", "bar");
        await group.WaitForConvergenceAsync(set.Index);
        var stopped = group.Members.Where(m => m != leader.Replica).ToArray();
        foreach (var replica in stopped) Assert.Equal(0, (await RunAsync(group, "stop", replica)).Code);
        try
        {
            Assert.Equal((0, "bar\n", ""), await RunAsync(group, "get", "foo", "--consistency", "s"));
            var (code, output, error) = await RunAsync(group, "get", "foo");
            Assert.Equal((ExitCodes.RequestFailed, ""), (code, output));
            Assert.StartsWith("error: Request timed out", error);
        }
        finally
        {
            foreach (var replica in stopped) await RunAsync(group, "start", replica);
        }
    }

    [Fact]
    public async Task A_value_comes_from_stdin_or_after_double_dash()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        Assert.Equal((0, "OK\n", ""), await Cli.RunAsync(fixture.Client, ["set", "file", "--group", group.Name], stdin: "line 1\nline 2\n"));
        Assert.Equal("line 1\nline 2\n", (await group.Gateway.Get("file")).Value);
        Assert.Equal((0, "OK\n", ""), await Cli.RunAsync(fixture.Client, ["--group", group.Name, "set", "dash", "--", "-v"]));
        Assert.Equal((0, "-v\n", ""), await RunAsync(group, "get", "dash"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "set", "at", "@home"));
        Assert.Equal((0, "@home\n", ""), await RunAsync(group, "get", "at"));
    }

    [Fact]
    public async Task A_request_via_a_stopped_replica_is_an_error_line_not_a_crash()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.Equal((0, "replica r2 stopped\n", ""), await RunAsync(group, "stop", "r2"));

        var (code, output, error) = await RunAsync(group, "--via", "r2", "get", "foo");
        Assert.Equal((ExitCodes.RequestFailed, ""), (code, output));
        Assert.StartsWith("error: ", error);
        Assert.Contains("r2", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal((0, "replica r2 started\n", ""), await RunAsync(group, "start", "r2"));
    }

    [Fact]
    public async Task Fault_commands_say_what_they_did()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        Assert.Equal((0, "partition p split off: r1,r2\n", ""), await RunAsync(group, "split", "p", "r1,r2"));
        Assert.Equal((0, "drop rate set to 0.1\n", ""), await RunAsync(group, "drop", "0.1"));
        Assert.Equal((0, "delay set to 1-5 ms\n", ""), await RunAsync(group, "delay", "1", "5"));
        Assert.Equal((0, "partition p: r1,r2\ndrop rate: 0.1\ndelay: 1-5 ms\n", ""), await RunAsync(group, "faults"));
        Assert.Equal((0, "partition p healed\n", ""), await RunAsync(group, "join", "p"));
        Assert.Equal((0, "links cut between r1 and r3\n", ""), await RunAsync(group, "cut", "r1", "r3"));
        Assert.Equal((0, "healed: no faults\n", ""), await RunAsync(group, "heal"));
        Assert.Equal((0, "no faults\n", ""), await RunAsync(group, "faults"));
        Assert.Equal((0, "replica r3 stopped\n", ""), await RunAsync(group, "stop", "r3"));
        Assert.Equal(ReplicaRole.Stopped, (await group.Replica("r3").GetStatus()).Role);
        Assert.Equal((0, "replica r3 started\n", ""), await RunAsync(group, "start", "r3"));
        Assert.Equal((1, "", $"error: group '{group.Name}' has no partition named 'q'\n"), await RunAsync(group, "join", "q"));
        Assert.Equal(
            (1, "", $"error: partition p would hold every replica of group '{group.Name}' (r1,r2,r3) and cut nothing off; name the replicas of one side\n"),
            await RunAsync(group, "split", "p", "r3,r2,r1"));
        Assert.Equal((0, "no faults\n", ""), await RunAsync(group, "faults"));
        await group.WaitForConvergenceAsync();
    }

    [Fact]
    public async Task Status_prints_a_table_with_one_leader_and_elect_moves_it()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();

        var (code, output, _) = await RunAsync(group, "status");
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n').Where(l => l.Trim().Length > 0 && !l.Trim().StartsWith('─')).Select(l => l.Trim()).ToArray();
        Assert.StartsWith("replica", lines[0]);
        Assert.EndsWith("error", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Single(lines, l => l.Contains(" Leader "));
        Assert.Contains(lines, l => l.StartsWith(leader.Replica + " ") && l.Contains(" Leader "));

        var target = group.Members.First(m => m != leader.Replica);
        Assert.Equal((0, $"leadership moved from {leader.Replica} to {target}\n", ""), await RunAsync(group, "elect", target));
        await group.WaitForLeaderAsync(s => s.Replica == target);
        Assert.Equal((1, "", $"error: unknown replica 'nosuch' in group '{group.Name}' (members: r1, r2, r3)\n"), await RunAsync(group, "elect", "nosuch"));
    }

    [Fact]
    public async Task Member_commands_list_add_transfer_remove_and_refuse_with_one_error_line()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();

        var (code, output, error) = await RunAsync(group, "member", "list");
        Assert.Equal((0, ""), (code, error));
        var rows = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 1 && l[0] == 'r' && char.IsAsciiDigit(l[1])).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.All(rows, r => Assert.Contains(" voter ", r));
        Assert.Single(rows, r => r.StartsWith(leader.Replica + " ") && r.Contains(" * "));

        (code, output, error) = await RunAsync(group, "member", "add");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches(@"^added r4 as a learner at index \d+; r4 caught up and was promoted to voter\n$", output);
        (code, output, _) = await RunAsync(group, "member", "list", "-o", "json");
        Assert.Equal(0, code);
        var members = JsonDocument.Parse(output).RootElement.GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal(["r1", "r2", "r3", "r4"], members.Select(m => m.GetProperty("replica").GetString()).Order());

        Assert.Equal((0, $"leadership moved from {leader.Replica} to r4\n", ""), await RunAsync(group, "leader", "transfer", "r4"));
        (code, output, error) = await RunAsync(group, "member", "remove", "r4");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches(@"^moved leadership from r4 to r[123]; removed r4 at index \d+; its storage is retired\n$", output);

        Assert.Equal((1, "", $"error: r9 is not a member of group '{group.Name}' (members: r1, r2, r3)\n"), await RunAsync(group, "member", "remove", "r9"));
        Assert.Equal((1, "", $"error: the replicas of group '{group.Name}' are not pinned to nodes; add one without --node\n"),
            await RunAsync(group, "member", "add", "--node", "n1"));
        Assert.Equal((0, $"node n9 holds no replica of group '{group.Name}'\n", ""), await RunAsync(group, "node", "drain", "n9"));

        // Every step above, and each refusal, in order, numbered and timed.
        (code, output, error) = await RunAsync(group, "member", "events");
        Assert.Equal((0, ""), (code, error));
        string[] expected =
        [
            "member add: reserved the name r4",
            "member add: created r4 with an empty log",
            @"member add: added r4 as a learner at index \d+",
            "member add: r4 promoted to voter",
            $"leader transfer: transferring leadership from {leader.Replica} to r4",
            "leader transfer: r4 leads",
            "member remove: r4 leads: transferring leadership to r[123] first",
            @"member remove: removed r4 at index \d+",
            "member remove: (retired r4's storage|r4 had retired its storage itself)",
            $"member remove refused: r9 is not a member of group '{group.Name}'.*",
            $"member add refused: the replicas of group '{group.Name}' are not pinned to nodes.*",
        ];
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(expected.Length, lines.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Matches($@"^ *{i + 1}  \d\d:\d\d:\d\d\.\d{{3}}  {expected[i]}$", lines[i]);
        (code, output, error) = await RunAsync(group, "member", "events", "--after", "10");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches($@"^ *11  .{{12}}  {expected[10]}\n$", output);
    }

    [Fact]
    public async Task Status_as_json_shows_a_stopped_replica_without_stale_numbers()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);
        await RunAsync(group, "stop", follower);

        var (code, output, error) = await RunAsync(group, "status", "-o", "json");
        Assert.Equal((0, ""), (code, error));
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("replica").GetString()!);
        Assert.Equal(3, rows.Count);
        Assert.Equal("Leader", rows[leader.Replica].GetProperty("role").GetString());
        Assert.True(rows[leader.Replica].GetProperty("term").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, rows[follower].GetProperty("term").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[follower].GetProperty("applied").ValueKind);
        await RunAsync(group, "start", follower);
    }

    [Fact]
    public async Task Status_exits_non_zero_when_no_replica_leads()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        await RunAsync(group, "stop", "r1");
        await RunAsync(group, "stop", "r2");
        await RunAsync(group, "stop", "r3");

        var (code, output, error) = await RunAsync(group, "status");
        Assert.Equal(ExitCodes.RequestFailed, code);
        Assert.Equal($"error: no leader in group '{group.Name}'\n", error);
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains(" Stopped ")));
        Assert.Equal((1, "", "error: unknown group 'nosuchgroup': no replicas are registered\n"), await Cli.RunAsync(fixture.Client, ["status", "--group", "nosuchgroup"]));
        foreach (var r in group.Members) await RunAsync(group, "start", r);
    }
}
