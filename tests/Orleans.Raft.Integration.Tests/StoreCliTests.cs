using System.Globalization;
using System.Text;
using System.Text.Json;
using Orleans.Raft.Client;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The CLI's verbs of etcd's data model, which no cluster is needed to refuse.</summary>
public sealed class StoreCommandLineTests
{
    [Theory]
    [InlineData(new[] { "lease", "grant", "0" }, "error: TTL wants a number from 1 to 2592000 s, got '0'")]
    [InlineData(new[] { "lease", "grant", "soon" }, "error: TTL wants a number from 1 to 2592000 s, got 'soon'")]
    [InlineData(new[] { "lease", "revoke", "abc" }, "error: ID wants a lease id (a positive whole number, as 'lease grant' prints), got 'abc'")]
    [InlineData(new[] { "lease", "keepalive", "0" }, "error: ID wants a lease id (a positive whole number, as 'lease grant' prints), got '0'")]
    [InlineData(new[] { "lease", "ttl" }, "error: Required argument missing for command: 'ttl'.")]
    [InlineData(new[] { "set", "--lease", "x", "k", "v" }, "error: --lease wants a lease id (a positive whole number, as 'lease grant' prints), got 'x'")]
    [InlineData(new[] { "get", "k", "--limit", "3" }, "error: --limit needs --prefix (or use 'range')")]
    [InlineData(new[] { "get", "k", "--prefix", "--limit", "0" }, "error: --limit wants a positive whole number, got '0'")]
    [InlineData(new[] { "get", "k", "--prefix", "-o", "xml" }, "error: Argument 'xml' not recognized.")]
    [InlineData(new[] { "range", "a", "b", "--from-key" }, "error: give TO or --from-key, not both")]
    [InlineData(new[] { "range" }, "error: Required argument missing for command: 'range'.")]
    [InlineData(new[] { "cas", "--rev", "3", "k", "a", "b" }, "error: cas --rev N takes KEY NEW")]
    [InlineData(new[] { "cas", "--rev", "x", "k", "v" }, "error: --rev wants a revision (a whole number, 0 or more), got 'x'")]
    [InlineData(new[] { "cas", "--rev", "0", "--absent", "k", "v" }, "error: give --absent or --rev, not both (--rev 0 is --absent)")]
    [InlineData(new[] { "watch", "k", "--rev", "soon" }, "error: --rev wants a revision (a positive whole number), got 'soon'")]
    [InlineData(new[] { "watch" }, "error: Required argument missing for command: 'watch'.")]
    [InlineData(new[] { "lock", "l", "--ttl", "0" }, "error: --ttl wants a number from 1 to 2592000 s, got '0'")]
    [InlineData(new[] { "lock", "a}b" }, "error: 'a}b' is not a valid lock name: it is not empty and has no '}'")]
    [InlineData(new[] { "campaign", "", "v" }, "error: '' is not a valid election name: it is not empty and has no '}'")]
    [InlineData(new[] { "leader", "x}" }, "error: 'x}' is not a valid election name: it is not empty and has no '}'")]
    [InlineData(new[] { "campaign", "e" }, "error: Required argument missing for command: 'campaign'.")]
    [InlineData(new[] { "leader" }, "error: leader takes NAME (an election) or 'transfer REPLICA'")]
    [InlineData(new[] { "leader", "transfer" }, "error: Required argument missing for command: 'transfer'.")]
    [InlineData(new[] { "txn" }, "error: Option '--file' is required.")]
    public async Task A_usage_error_is_one_error_line_and_a_pointer_to_help(string[] args, string message)
    {
        var (code, output, error) = await Cli.RunOfflineAsync(args);
        Assert.Equal((ExitCodes.Usage, ""), (code, output));
        var lines = error.TrimEnd().Split('\n');
        Assert.StartsWith(message, lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Matches("^Run '.*--help' for usage.$", lines[1]);
    }

    [Fact]
    public async Task A_transaction_that_cannot_be_read_is_one_error_line_and_nothing_is_sent()
    {
        var path = Path.Combine(Path.GetTempPath(), $"txn-{Guid.NewGuid():N}.json");
        Assert.Equal((ExitCodes.Usage, ""), await WithoutErrorAsync(Cli.RunOfflineAsync("txn", "--file", path)));
        Assert.StartsWith($"error: cannot read {path}: ", (await Cli.RunOfflineAsync("txn", "--file", path)).Err);

        await File.WriteAllTextAsync(path, "{\"compares\": [ {\"key\": \"a\", \"target\": \"Colour\"} ]}");
        try
        {
            var (code, output, error) = await Cli.RunOfflineAsync("txn", "--file", path);
            Assert.Equal((ExitCodes.Usage, ""), (code, output));
            Assert.StartsWith($"error: the transaction in {path} is not valid: ", error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal((ExitCodes.Usage, "", "error: a transaction is required: {\"compares\":[...],\"success\":[...],\"failure\":[...]}\n"),
            await Cli.RunAsync(new NoCluster(), ["txn", "-f", "-"], stdin: "null"));
    }

    [Fact]
    public async Task Help_describes_each_new_verb()
    {
        foreach (var verb in new[] { "range", "watch", "lease", "lock", "campaign", "leader", "txn" })
        {
            var (code, output, _) = await Cli.RunOfflineAsync(verb, "--help");
            Assert.Equal(0, code);
            Assert.Contains($"Usage:", output);
        }
        Assert.Contains("--prefix", (await Cli.RunOfflineAsync("get", "--help")).Out);
        Assert.Contains("grant", (await Cli.RunOfflineAsync("lease", "--help")).Out);
    }

    private static async Task<(int, string)> WithoutErrorAsync(Task<(int Code, string Out, string Err)> run)
    {
        var (code, output, _) = await run;
        return (code, output);
    }

    private sealed class NoCluster : IClusterConnector
    {
        public Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose) => throw new InvalidOperationException("this command must not connect");
    }
}

/// <summary>A CLI watch of history the replicas no longer keep (this cluster keeps 64 changes).</summary>
[Collection(KillableClusterCollection.Name)]
public sealed class CompactedWatchCliTests(KillableClusterFixture fixture)
{
    [Fact]
    public async Task A_watch_of_compacted_history_exits_1_and_names_the_revision_to_resume_from()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var store = fixture.Client.GetRaftKeyValueStore(group.Name);
        var first = await store.PutAsync("k", "v0");
        for (var i = 1; i < 100; i++) await store.PutAsync("k", $"v{i}");

        var (code, output, error) = await Cli.RunAsync(fixture.Client, ["watch", "k", "--rev", $"{first.ModRevision}", "--group", group.Name]);
        Assert.Equal((ExitCodes.RequestFailed, ""), (code, output));
        var match = System.Text.RegularExpressions.Regex.Match(error, "^error: the history up to revision ([0-9]+) is compacted: read the current state, then watch with --rev ([0-9]+) or later\n$");
        Assert.True(match.Success, error);
        var compacted = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(compacted + 1, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.True(compacted >= first.ModRevision, $"compacted at {compacted}, asked from {first.ModRevision}");
    }
}

/// <summary>The CLI's ranges, leases, watches, locks, elections and transactions against a real cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StoreCliTests(ClusterFixture fixture)
{
    private Task<(int Code, string Out, string Err)> RunAsync(RaftGroup group, params string[] args) => Cli.RunAsync(fixture.Client, [.. args, "--group", group.Name]);

    private async Task<(RaftGroup Group, IRaftKeyValueStore Store)> StartAsync()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        return (group, fixture.Client.GetRaftKeyValueStore(group.Name));
    }

    [Fact]
    public async Task Get_prefix_and_range_print_sorted_keys_with_limit_keys_only_and_revisions()
    {
        var (group, store) = await StartAsync();
        foreach (var (k, v) in new[] { ("b/1", "four"), ("a/3", "three"), ("a/1", "one"), ("a/2", "two words"), ("a", "zero") })
            Assert.Equal((0, "OK\n", ""), await RunAsync(group, "set", k, v));

        Assert.Equal((0, "a/1 one\na/2 two words\na/3 three\n", ""), await RunAsync(group, "get", "a/", "--prefix"));
        Assert.Equal((0, "a/1\na/2\na/3\n", ""), await RunAsync(group, "get", "a/", "--prefix", "--keys-only"));
        Assert.Equal((0, "a/1 one\na/2 two words\n", "(2 of 3 keys: --limit cut the rest)\n"), await RunAsync(group, "get", "a/", "--prefix", "--limit", "2"));
        Assert.Equal((0, "", ""), await RunAsync(group, "get", "nothing/", "--prefix"));
        Assert.Equal((0, "a/2 two words\na/3 three\n", ""), await RunAsync(group, "range", "a/2", "b/1"));
        Assert.Equal((0, "a/2 two words\n", ""), await RunAsync(group, "range", "a/2"));
        Assert.Equal((0, "a/3 three\nb/1 four\n", ""), await RunAsync(group, "range", "a/3", "--from-key"));
        Assert.Equal((0, "a\na/1\n", ""), await RunAsync(group, "range", "a", "a/2", "--keys-only"));

        var a1 = (await store.GetAsync("a/1"))!;
        Assert.Equal((0, $"a/1 one create={a1.CreateRevision} mod={a1.ModRevision} version=1 lease=0\n", ""), await RunAsync(group, "get", "a/1", "--revisions"));
        Assert.Equal((0, $"a/1 one create={a1.CreateRevision} mod={a1.ModRevision} version=1 lease=0\n", ""), await RunAsync(group, "range", "a/1", "a/2", "--revisions"));

        var (code, json, _) = await RunAsync(group, "get", "a/", "--prefix", "-o", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(3, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(["a/1", "a/2", "a/3"], doc.RootElement.GetProperty("kvs").EnumerateArray().Select(e => e.GetProperty("key").GetString()!));
        Assert.Equal(a1.ModRevision, doc.RootElement.GetProperty("kvs")[0].GetProperty("modRevision").GetInt64());

        // Compare-and-set on the mod revision: the current one wins, a stale one fails and says which it has.
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "cas", "--rev", $"{a1.ModRevision}", "a/1", "uno"));
        var now = (await store.GetAsync("a/1"))!;
        Assert.Equal((1, "", $"error: compare failed: a/1 has mod revision {now.ModRevision}\n"), await RunAsync(group, "cas", "--rev", $"{a1.ModRevision}", "a/1", "again"));
        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "cas", "--rev", "0", "new", "v"));
        Assert.Equal((1, "", "error: compare failed: absent does not exist\n"), await RunAsync(group, "cas", "--rev", "5", "absent", "v"));
        Assert.Equal((1, "", "error: No such key: nope\n"), await RunAsync(group, "get", "nope", "--revisions"));
    }

    [Fact]
    public async Task Lease_grant_prints_the_id_alone_and_revoking_it_deletes_its_keys()
    {
        var (group, store) = await StartAsync();
        var (code, output, error) = await RunAsync(group, "lease", "grant", "30");
        Assert.Equal((0, ""), (code, error));
        Assert.Matches("^[0-9]+\n$", output);
        var id = long.Parse(output, CultureInfo.InvariantCulture);

        Assert.Equal((0, "OK\n", ""), await RunAsync(group, "set", "--lease", $"{id}", "svc/a", "up"));
        Assert.Equal(id, (await store.GetAsync("svc/a"))!.Lease);
        (code, output, _) = await RunAsync(group, "lease", "ttl", $"{id}");
        Assert.Equal(0, code);
        Assert.Matches($"^lease {id} ttl=30s remaining=[0-9.]+s keys=svc/a\n$", output);
        Assert.Contains($"{id} ttl=30s keys=1\n", (await RunAsync(group, "lease", "list")).Out);
        (code, output, _) = await RunAsync(group, "lease", "keepalive", $"{id}", "--once");
        Assert.Equal(0, code);
        Assert.Matches($"^lease {id} keepalive ttl=[0-9.]+s\n$", output);

        Assert.Equal((0, $"lease {id} revoked\n", ""), await RunAsync(group, "lease", "revoke", $"{id}"));
        Assert.Null(await store.GetAsync("svc/a"));
        Assert.Equal((1, "", "error: No such key: svc/a\n"), await RunAsync(group, "get", "svc/a"));
        Assert.DoesNotContain($"{id} ", (await RunAsync(group, "lease", "list")).Out);

        // A gone lease is one error line and exit 1, for every verb that names it.
        foreach (var args in new[] { new[] { "set", "--lease", $"{id}", "svc/b", "v" }, ["lease", "revoke", $"{id}"], ["lease", "ttl", $"{id}"], ["lease", "keepalive", $"{id}"] })
        {
            (code, output, error) = await RunAsync(group, args);
            Assert.Equal((ExitCodes.RequestFailed, ""), (code, output));
            Assert.StartsWith("error: ", error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        Assert.Null(await store.GetAsync("svc/b"));
    }

    [Fact]
    public async Task Watch_prints_each_change_in_revision_order_until_stopped()
    {
        var (group, store) = await StartAsync();
        var before = await store.PutAsync("w/a", "1");
        await using var watch = Running.Start(fixture.Client, ["watch", "w/", "--prefix", "--rev", $"{before.ModRevision + 1}", "--prev-kv", "--group", group.Name]);

        var b = await store.PutAsync("w/b", "2");
        Assert.True(await store.DeleteAsync("w/a"));
        await store.PutAsync("x", "not watched");
        var b3 = await store.PutAsync("w/b", "3");
        Assert.Equal(b.ModRevision + 3, b3.ModRevision);

        var expected = $"PUT w/b 2 rev={b.ModRevision}\nDELETE w/a rev={b.ModRevision + 1} prev=1\nPUT w/b 3 rev={b3.ModRevision} prev=2\n";
        await watch.Out.WaitForAsync(expected.Length);
        Assert.Equal((0, ""), await watch.StopAsync());
        Assert.Equal(expected, watch.Out.Text);

        // From an earlier revision it replays the same changes: a watch resumes exactly where one stopped.
        await using var again = Running.Start(fixture.Client, ["watch", "w/b", "--rev", $"{b.ModRevision}", "--group", group.Name]);
        var replay = $"PUT w/b 2 rev={b.ModRevision}\nPUT w/b 3 rev={b3.ModRevision}\n";
        await again.Out.WaitForAsync(replay.Length);
        Assert.Equal((0, ""), await again.StopAsync());
        Assert.Equal(replay, again.Out.Text);
    }

    [Fact]
    public async Task A_lock_held_by_one_cli_blocks_a_second_until_the_first_releases_it()
    {
        var (group, store) = await StartAsync();
        var name = $"job-{Guid.NewGuid():N}";
        await using var first = Running.Start(fixture.Client, ["lock", name, "--ttl", "30", "--group", group.Name]);
        var line = await first.Out.WaitForLineAsync();
        var match = System.Text.RegularExpressions.Regex.Match(line, "^(\\{lock:" + name + "\\}/[0-9a-f]{16}) token=([0-9]+)$");
        Assert.True(match.Success, line);
        var firstToken = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.NotNull(await store.GetAsync(match.Groups[1].Value));

        await using var second = Running.Start(fixture.Client, ["lock", name, "--group", group.Name, "--", "sh", "-c", "echo \"held $RAFT_LOCK_TOKEN\"; exit 7"]);
        // Once the second is in line behind the first, it cannot hold the lock until the first lets go.
        await RaftGroup.WaitForAsync(async () => (await store.RangeAsync($"{{lock:{name}}}/", KeyRange.PrefixEnd($"{{lock:{name}}}/"), keysOnly: true)).Count == 2 ? "" : null, "two in line");
        Assert.False(second.Completion.IsCompleted);
        Assert.Equal("", second.Out.Text);

        Assert.Equal((0, ""), await first.StopAsync());
        var (code, error) = await second.Completion.WaitAsync(RaftGroup.Patience);
        Assert.Equal((7, ""), (code, error));
        var secondToken = long.Parse(second.Out.Text.TrimEnd()["held ".Length..], CultureInfo.InvariantCulture);
        Assert.True(secondToken > firstToken, $"{secondToken} after {firstToken}");
        // The command's exit released the lock: nothing is left in line.
        Assert.Equal(0, (await store.RangeAsync($"{{lock:{name}}}/", KeyRange.PrefixEnd($"{{lock:{name}}}/"), keysOnly: true)).Count);
    }

    [Fact]
    public async Task Campaign_leads_until_stopped_and_leader_prints_the_leaders_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var election = $"svc-{Guid.NewGuid():N}";
        Assert.Equal((1, "", $"error: no leader in election '{election}'\n"), await RunAsync(group, "leader", election));

        await using var a = Running.Start(fixture.Client, ["campaign", election, "10.0.0.1:80", "--group", group.Name]);
        var elected = await a.Out.WaitForLineAsync();
        Assert.Matches("^\\{election:" + election + "\\}/[0-9a-f]{16} 10.0.0.1:80 rev=[0-9]+$", elected);
        Assert.Equal((0, "10.0.0.1:80\n", ""), await RunAsync(group, "leader", election));

        await using var b = Running.Start(fixture.Client, ["campaign", election, "10.0.0.2:80", "--group", group.Name]);
        var store = fixture.Client.GetRaftKeyValueStore(group.Name);
        await RaftGroup.WaitForAsync(async () => (await store.GetPrefixAsync($"{{election:{election}}}/", keysOnly: true)).Count == 2 ? "" : null, "two candidates");
        Assert.Equal("", b.Out.Text);
        Assert.Equal((0, "10.0.0.1:80\n", ""), await RunAsync(group, "leader", election));

        Assert.Equal((0, ""), await a.StopAsync());
        Assert.Contains(" 10.0.0.2:80 rev=", await b.Out.WaitForLineAsync());
        Assert.Equal((0, "10.0.0.2:80\n", ""), await RunAsync(group, "leader", election));
        Assert.Equal((0, ""), await b.StopAsync());
        Assert.Equal((1, "", $"error: no leader in election '{election}'\n"), await RunAsync(group, "leader", election));

        // 'leader transfer' is still the group's own leadership.
        var (code, output, error) = await RunAsync(group, "leader", "transfer", group.Members.First(m => m != leader.Replica));
        Assert.Equal((0, ""), (code, error));
        Assert.NotEqual("", output);
    }

    [Fact]
    public async Task Txn_runs_a_file_or_stdin_and_prints_the_branch_the_revision_and_each_result()
    {
        var (group, store) = await StartAsync();
        await store.PutAsync("cfg/b", "old");
        const string Txn = """
            {"compares":[{"key":"cfg/a","target":"Version","operator":"Equal","number":0}],
             "success":[{"type":"Put","key":"cfg/a","value":"v1"},{"type":"Delete","key":"cfg/b","prevKv":true},{"type":"Range","key":"cfg/","rangeEnd":"cfg0"}],
             "failure":[{"type":"Range","key":"cfg/a"}]}
            """;
        var path = Path.Combine(Path.GetTempPath(), $"txn-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, Txn);
        try
        {
            var (code, output, error) = await RunAsync(group, "txn", "--file", path);
            Assert.Equal((0, ""), (code, error));
            var rev = (await store.GetAsync("cfg/a"))!.ModRevision;
            Assert.Equal($"SUCCESS rev={rev}\nPUT OK\nDELETE 1\nprev cfg/b old\nRANGE count=1\ncfg/a v1\n", output);
        }
        finally
        {
            File.Delete(path);
        }
        var again = await Cli.RunAsync(fixture.Client, ["txn", "-f", "-", "--group", group.Name], stdin: Txn);
        var revision = (await store.GetAsync("cfg/a"))!.ModRevision;
        Assert.Equal((0, $"FAILURE rev={revision}\nRANGE count=1\ncfg/a v1\n", ""), again);
    }

    /// <summary>A CLI command running in this process until it ends or is stopped, as Ctrl+C stops it.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private Running(IClusterClient client, string[] args)
        {
            Completion = RunAsync(client, args);
        }

        public LiveWriter Out { get; } = new();

        public LiveWriter Error { get; } = new();

        public Task<(int Code, string Error)> Completion { get; }

        public static Running Start(IClusterClient client, string[] args) => new(client, args);

        private async Task<(int, string)> RunAsync(IClusterClient client, string[] args)
        {
            await Task.Yield();
            var code = await ClientCli.InvokeAsync(args, new ClientIO(Out, Error, new StringReader(""), false), new Borrowed(client), _stop.Token);
            return (code, Error.Text);
        }

        /// <summary>Stops it as Ctrl+C does, and waits for it to release what it holds and exit.</summary>
        public async Task<(int Code, string Error)> StopAsync()
        {
            await _stop.CancelAsync();
            return await Completion.WaitAsync(RaftGroup.Patience);
        }

        public async ValueTask DisposeAsync()
        {
            if (!Completion.IsCompleted) await StopAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Output a test reads while the command is still writing it.</summary>
    private sealed class LiveWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text) return _text.ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_text) _text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (_text) _text.Append(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_text) _text.Append(buffer, index, count);
        }

        /// <summary>Waits for at least length characters; the caller then asserts on all of them.</summary>
        public Task WaitForAsync(int length) => RaftGroup.WaitForAsync(() => Task.FromResult(Text.Length >= length ? Text : null), $"{length} characters of output");

        public async Task<string> WaitForLineAsync() =>
            (await RaftGroup.WaitForAsync(() => Task.FromResult(Text.Contains('\n') ? Text : null), "a line of output")).Split('\n')[0];
    }

    private sealed class Borrowed(IClusterClient client) : IClusterConnector
    {
        public Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose) => Task.FromResult(ConnectedClient.Borrowed(client));
    }
}
