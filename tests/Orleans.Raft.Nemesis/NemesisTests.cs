using Orleans.Raft.Hosting;
using Orleans.Raft.Linearizability;
using Xunit.Abstractions;

namespace Orleans.Raft.Nemesis;

public sealed class NemesisTests(ITestOutputHelper output)
{
    /// <summary>
    /// The short run CI does: about 20 s of faults and membership changes, plus start-up, healing and checking. Every
    /// run commits at least one membership change: the nemesis tries again soon until one does. Every run (this and the
    /// ones below) also issues transactions, and its watchers must each see every acknowledged change once, in order.
    /// This one runs the list-append workload beside it, which must pass its check.
    /// </summary>
    [Fact]
    public Task Under_random_faults_and_membership_changes_the_history_with_transactions_is_linearizable_no_acknowledged_write_is_lost_or_unwatched_and_logs_match() =>
        RunAsync(groups: 1, keys: 4, "dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes 0.34 --workload both --seed {0}", workload: Workload.Both);

    /// <summary>
    /// The same with the keys split over four groups: faults and membership changes strike one group at a time (a
    /// silo kill strikes them all), each key's history is checked, and each group's logs are compared.
    /// </summary>
    [Fact]
    public Task Over_four_groups_every_keys_history_is_linearizable_no_acknowledged_write_is_lost_and_each_groups_logs_match() =>
        RunAsync(groups: 4, keys: 16, "dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes 0.34 --groups 4 --keys 16 --seed {0}");

    /// <summary>
    /// The short run with lease reads: a leader answers a get without a heartbeat round while its lease holds, and the
    /// history must stay linearizable through partitions, kills and leadership changes all the same.
    /// </summary>
    [Fact]
    public Task With_lease_reads_the_history_is_linearizable_no_acknowledged_write_is_lost_and_logs_match() =>
        RunAsync(groups: 1, keys: 4, "dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes 0.34 --read-mode Lease --seed {0}", RaftReadMode.Lease);

    /// <summary>The short run with every get committed through the log, as a write is.</summary>
    [Fact]
    public Task With_reads_through_the_log_the_history_is_linearizable_no_acknowledged_write_is_lost_and_logs_match() =>
        RunAsync(groups: 1, keys: 4, "dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes 0.34 --read-mode Log --seed {0}", RaftReadMode.Log);

    private async Task RunAsync(int groups, int keys, string replayCommand, RaftReadMode readMode = RaftReadMode.ReadIndex, Workload workload = Workload.Register)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("NEMESIS_SEED"), out var s) ? s : Random.Shared.Next(1, int.MaxValue);
        var result = await NemesisRun.RunAsync(new NemesisOptions
        {
            Seed = seed,
            Groups = groups,
            Keys = keys,
            ReadMode = readMode,
            Workload = workload,
            Duration = TimeSpan.FromSeconds(20),
            Log = line =>
            {
                try
                {
                    output.WriteLine(line);
                }
                catch (InvalidOperationException)
                {
                    // The test has ended; a straggling log line has nowhere to go.
                }
            },
        });
        output.WriteLine(result.Summary);
        var replay = $"replay: NEMESIS_SEED={seed} dotnet test tests/Orleans.Raft.Nemesis, or {string.Format(System.Globalization.CultureInfo.InvariantCulture, replayCommand, seed)}";
        Assert.True(result.Linearizability.IsLinearizable, $"{result.Summary}\n{replay}");
        Assert.True(result.LostWrites.Count == 0, $"{result.Summary}\n{replay}");
        // With it, the list-append workload ran beside the register one, and its check passed.
        Assert.True(result.ListAppend.IsLinearizable, $"{result.Summary}\n{replay}");
        if (workload == Workload.Both)
        {
            Assert.Contains(result.Appends, op => op is { Kind: AppendOpKind.Append, Status: OpStatus.Ok });
            Assert.Contains(result.Appends, op => op is { Kind: AppendOpKind.Read, Status: OpStatus.Ok, List.Count: > 0 });
        }
        Assert.True(result.LogMismatches.Count == 0, $"{result.Summary}\n{replay}");
        Assert.True(result.MembershipChanges > 0, $"no membership change committed\n{result.Summary}\n{replay}");
        // Transactions ran, both ways, and were checked with the accounts' other operations as one set of keys.
        var txns = result.History.Where(op => op.Kind == OpKind.Transaction && op.Status == OpStatus.Ok).ToList();
        Assert.True(txns.Any(op => op.Outcome!.Succeeded && op.IsWrite) && txns.Any(op => !op.IsWrite), $"no transfer and read of both acknowledged\n{result.Summary}");
        Assert.Contains(result.Linearizability.Keys, k => k.Key.Contains(',', StringComparison.Ordinal) && k.Operations >= txns.Count);
        // The watch check ran: every group's watchers saw changes, and each passed.
        Assert.True(result.Watches.Count >= 2 * groups + 1, $"{result.Watches.Count} watchers\n{result.Summary}");
        Assert.All(result.Watches, w => Assert.True(w.Passed && w.Events > 0, $"watcher {w.Watcher}: {w.Events} events, {string.Join("; ", w.Problems)}\n{result.Summary}\n{replay}"));
        // Every group served: its keys' operations are in the history, and were checked.
        var shards = new ShardMap("any", groups);
        Assert.Equal(groups, result.History.Where(op => op.Status == OpStatus.Ok).Select(op => shards.GroupIndexOf(op.Key)).Distinct().Count());
        // The gets took the configured mode's path, and only paths that mode allows.
        var expected = readMode switch
        {
            RaftReadMode.Lease => "lease",
            RaftReadMode.Log => "log",
            _ => "read_index",
        };
        string[] allowed = readMode == RaftReadMode.Lease ? ["lease", "read_index"] : [expected];
        Assert.True(result.ReadPaths.GetValueOrDefault(expected) > 0, $"no get served by {expected}\n{result.Summary}");
        Assert.All(result.ReadPaths.Keys, path => Assert.Contains(path, allowed));
    }
}
