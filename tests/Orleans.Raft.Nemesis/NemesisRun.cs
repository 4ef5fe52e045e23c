using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;
using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

public sealed record NemesisOptions
{
    public required int Seed { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public int Clients { get; init; } = 5;
    public int Keys { get; init; } = 4;

    /// <summary>
    /// The groups the keys are split over by <see cref="ShardMap"/>, each of 5 replicas. Every fault but a silo kill
    /// strikes one group, drawn from the seed; so does every membership change. Clients hold a session per group.
    /// </summary>
    public int Groups { get; init; } = 1;

    /// <summary>
    /// How often a client sends a request a second time with the same session and sequence number once the first
    /// answer is in, as a client does that retries after a lost answer; the operation's outcome is the second answer.
    /// </summary>
    public double ResendRate { get; init; }

    /// <summary>How the silos serve a linearizable get (<see cref="RaftOptions.ReadMode"/>); the checker holds every mode to the same rules.</summary>
    public RaftReadMode ReadMode { get; init; } = RaftReadMode.ReadIndex;

    /// <summary>What the clients do; with both, <see cref="Clients"/> clients of each workload run side by side.</summary>
    public Workload Workload { get; init; } = Workload.Register;

    /// <summary>Where to write the history (JSON lines, <see cref="HistoryFile"/>); null: nowhere.</summary>
    public string? HistoryPath { get; init; }

    /// <summary>The checker's budget of search states for one piece of a key's history.</summary>
    public int MaxStatesPerPiece { get; init; } = LinearizabilityChecker.DefaultMaxStates;

    /// <summary>0: a TestCluster in this process; N (at least 3): N silo processes, one per node (<see cref="NodeClusterUnderTest"/>).</summary>
    public int Nodes { get; init; }

    public Action<string> Log { get; init; } = _ => { };
}

public sealed record NemesisResult(
    int Seed,
    IReadOnlyList<HistoryOp> History,
    IReadOnlyList<AppendOp> Appends,
    CheckResult Linearizability,
    CheckResult ListAppend,
    TimeSpan CheckTime,
    IReadOnlyList<string> LostWrites,
    IReadOnlyList<string> LogMismatches,
    int MembershipChanges,
    IReadOnlyList<string> FinalMembers,
    IReadOnlyDictionary<string, long> ReadPaths,
    IReadOnlyList<WatchReport> Watches,
    string Summary)
{
    public bool Passed => Linearizability.IsLinearizable && ListAppend.IsLinearizable && LostWrites.Count == 0 && LogMismatches.Count == 0 && Watches.Count > 0 && Watches.All(w => w.Passed);

    /// <summary>The transactions the clients issued, whatever their outcome.</summary>
    public int Transactions => History.Count(op => op.Kind == OpKind.Transaction);
}

/// <summary>
/// Runs clients against a group of 5 replicas on a 4-silo cluster while a seeded nemesis injects faults and, at the
/// same time, changes the group's membership, then heals everything and checks linearizability, that no acknowledged
/// write was lost, and that the members' logs match. Besides single-key operations on k0.., clients move values between
/// two accounts in one transaction and read both in another; watchers follow every group from its first revision. Faults pick replicas from the membership as it is when they
/// start. The seed fixes the fault schedule and every client's choices; thread timing is not reproducible, and the
/// membership a fault picks from depends on it, so a replay is close, not equal.
/// </summary>
public sealed partial class NemesisRun(INemesisCluster cluster, NemesisOptions options)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<HistoryOp> _history = new();
    private readonly ConcurrentDictionary<string, int> _faults = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private readonly ShardMap _shards = cluster.Shards(Math.Max(1, options.Groups));
    private int _nextId;

    private IFaultControlGrain Faults => cluster.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    private IReadOnlyList<string> Groups => _shards.Groups;

    private IKeyValueGatewayGrain Gateway(string group) => cluster.Client.GetGrain<IKeyValueGatewayGrain>(group);

    // A replica's grain key names its node when it has one (r1@n1): the listed members say which.
    private IRaftReplicaGrain Replica(string group, string name) =>
        cluster.Client.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, _memberKeys.GetValueOrDefault((group, name)) ?? name));

    public static async Task<NemesisResult> RunAsync(NemesisOptions options)
    {
        await using INemesisCluster cluster = options.Nodes == 0
            ? await TestClusterUnderTest.StartAsync(options.ReadMode)
            : await NodeClusterUnderTest.StartAsync(options.Nodes, Math.Max(1, options.Groups), options.ReadMode, options.Log);
        return await new NemesisRun(cluster, options).RunAsync();
    }

    public async Task<NemesisResult> RunAsync()
    {
        var log = options.Log;
        log($"nemesis: seed {options.Seed}, {options.Duration.TotalSeconds:0} s, {options.Clients} clients on {options.Keys} keys, " +
            (Groups.Count == 1 ? $"group {Groups[0]}" : $"{Groups.Count} groups {Groups[0]}..{Groups[^1]}") + $", read mode {options.ReadMode}, on {cluster.Description}");
        using var reads = new ReadPaths(Groups);
        await cluster.StartGroupsAsync(Groups);
        foreach (var group in Groups) await WaitForLeaderAsync(group);
        using var watching = new CancellationTokenSource();
        StartWatchers(watching.Token);
        await InitAccountsAsync();

        using var stop = new CancellationTokenSource(options.Duration);
        var clients = Enumerable.Range(0, RunsRegister ? options.Clients : 0).Select(c => Task.Run(() => ClientAsync(c, stop.Token)))
            .Concat(Enumerable.Range(0, RunsAppend ? options.Clients : 0).Select(c => Task.Run(() => AppendClientAsync(c, stop.Token)))).ToArray();
        var nemesis = Task.Run(() => NemesisAsync(stop.Token));
        var membership = Task.Run(() => MembershipNemesisAsync(stop.Token));
        await Task.WhenAll(clients);
        await nemesis;
        await membership;

        log("nemesis: healing");
        var members = new Dictionary<string, MemberList>();
        var logs = new Dictionary<string, Dictionary<string, (long Commit, LogPosition[] Positions)>>();
        Dictionary<string, string?> finals;
        try
        {
            await cluster.HealAsync(options.Log);
            foreach (var group in Groups) await HealAsync(group);
            foreach (var group in Groups) await WaitForLeaderAsync(group);
            finals = await ReadFinalValuesAsync();
            foreach (var group in Groups)
            {
                members[group] = await WaitForConvergenceAsync(group);
                logs[group] = await ReadLogsAsync(group, members[group]);
            }
        }
        catch (TimeoutException ex)
        {
            // Every client has ended: the history is whole, and the checker can take it on its own.
            if (options.HistoryPath is { } written)
            {
                HistoryFile.Write(written, [.. _history.OrderBy(op => op.Id)], [.. _appends.OrderBy(op => op.Id)]);
                log($"nemesis: history written to {Path.GetFullPath(written)}");
            }
            throw new ClusterDidNotHealException(ex.Message, ex);
        }

        var history = _history.OrderBy(op => op.Id).ToList();
        await WaitForWatchersAsync(history);
        await watching.CancelAsync();
        await Task.WhenAll(_watchers.Select(w => w.Running));
        var watches = CheckWatchers(history);
        var appends = _appends.OrderBy(op => op.Id).ToList();
        if (options.HistoryPath is { } path)
        {
            HistoryFile.Write(path, history, appends);
            log($"nemesis: history written to {Path.GetFullPath(path)}");
        }
        var checkClock = Stopwatch.StartNew();
        var linearizability = QuiescentChecker.Check(history, new CheckerOptions { MaxStatesPerPiece = options.MaxStatesPerPiece });
        var listAppend = ListAppendChecker.Check(appends);
        var checkTime = checkClock.Elapsed;
        var lost = Checks.LostWrites(history, finals);
        // Each group's logs on their own; the logs of its removed replicas, as they were just before their removal,
        // are held to the same rule.
        var mismatches = new List<string>();
        var compared = 0;
        var removedCount = 0;
        foreach (var group in Groups)
        {
            var removedLogs = _removedLogs.Where(r => r.Key.Group == group && !logs[group].ContainsKey(r.Key.Replica))
                .Select(r => KeyValuePair.Create(r.Key.Replica, r.Value)).ToList();
            removedCount += removedLogs.Count;
            var found = Checks.LogMismatches(new Dictionary<string, (long, LogPosition[])>(logs[group].Concat(removedLogs)), out var inGroup);
            mismatches.AddRange(Groups.Count == 1 ? found : found.Select(m => $"{group}: {m}"));
            compared += inGroup;
        }

        var (readPaths, readPathsPartial) = await cluster.ReadPathsAsync(reads.Counts);
        var summary = Summarize(history, appends, linearizability, listAppend, checkTime, lost, mismatches, compared, logs, removedCount, members, readPaths, readPathsPartial, watches);
        var finalMembers = Groups.Count == 1 ? Names(members[Groups[0]]) : [.. Groups.SelectMany(g => Names(members[g]).Select(n => $"{g}/{n}"))];
        return new NemesisResult(options.Seed, history, appends, linearizability, listAppend, checkTime, lost, mismatches, _membershipChanges, finalMembers, readPaths, watches, summary);
    }

    private long Now => _clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;

    private async Task ClientAsync(int client, CancellationToken stop)
    {
        // Not HashCode.Combine: its seed differs from process to process, and a replay would choose otherwise.
        var random = new Random(unchecked((options.Seed * 31) + client));
        var lastSeen = new Dictionary<string, string?>();
        var seq = 0;
        // Each client numbers its own writes in its own session, as a client that retries by itself must; a session
        // belongs to one group, so a client has one in each group it writes to.
        var sessions = new Dictionary<string, (long Session, long Sequence)>();
        while (!stop.IsCancellationRequested)
        {
            var roll = random.Next(100);
            // One in ten operations is a transfer between the accounts, one in twenty a read of both.
            var txn = roll < 10 ? Transfer(lastSeen, $"c{client}-{++seq}") : roll < 15 ? ReadBoth() : null;
            var key = txn is null ? $"k{random.Next(options.Keys)}" : AccountA;
            var group = _shards.GroupOf(key);
            var (session, sequence) = sessions.GetValueOrDefault(group);
            if (session == 0)
            {
                (session, sequence) = (await OpenSessionAsync(group, stop), 0);
                if (session == 0) break;
            }
            roll = random.Next(100);
            var value = $"c{client}-{++seq}";
            var request = txn is not null ? KvRequest.Transaction(txn)
                : roll < 45 ? KvRequest.Get(key)
                : roll < 80 ? KvRequest.Set(key, value)
                : KvRequest.CompareAndSet(key, lastSeen.GetValueOrDefault(key), value);
            if (request.IsWrite) request = request with { SessionId = session, Sequence = ++sequence, AckedBelow = sequence };
            sessions[group] = (session, sequence);
            var (op, response) = await ExecuteAsync(client, request, resend: random.NextDouble() < options.ResendRate);
            if (response?.Status == KvStatus.SessionExpired) sessions.Remove(group);
            if (op.Kind == OpKind.Transaction) Remember(op, lastSeen);
            else if (op.Status is OpStatus.Ok or OpStatus.NotFound or OpStatus.CompareFailed)
            {
                lastSeen[key] = op.Kind == OpKind.Get || op.Status == OpStatus.CompareFailed ? op.Output : op.Value;
            }
            await Task.Delay(random.Next(0, 15), CancellationToken.None);
        }
    }

    private async Task<long> OpenSessionAsync(string group, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await Gateway(group).OpenSession().WaitAsync(NemesisCluster.RequestTimeout * 5);
                if (response.Status == KvStatus.Ok) return response.Index;
                _errors.AddOrUpdate($"open session: {response.Status}", 1, (_, n) => n + 1);
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException)
            {
                _errors.AddOrUpdate($"open session: {ex.GetType().Name}", 1, (_, n) => n + 1);
            }
        }
        return 0;
    }

    /// <summary>Sends a request (twice when resent) to the gateway of the key's group; null: no answer, the outcome unknown.</summary>
    private async Task<(long Invoke, KvResponse? Response, long Complete)> SendAsync(string key, KvRequest request, bool resend)
    {
        var gateway = Gateway(_shards.GroupOf(key));
        var invoke = Now;
        KvResponse? response = null;
        try
        {
            // The gateway answers within the request timeout; this bound only catches calls lost with a silo.
            response = await gateway.Execute(request).WaitAsync(NemesisCluster.RequestTimeout * 5);
            if (resend)
            {
                Count("client resend");
                response = await gateway.Execute(request).WaitAsync(NemesisCluster.RequestTimeout * 5);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or OperationCanceledException or InvalidOperationException)
        {
            _errors.AddOrUpdate($"{ex.GetType().Name} (no answer)", 1, (_, n) => n + 1);
        }
        return (invoke, response, Now);
    }

    private async Task<(HistoryOp Op, KvResponse? Response)> ExecuteAsync(int client, KvRequest request, bool resend = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var (invoke, response, complete) = await SendAsync(request.Key, request, resend);
        var status = response?.Status switch
        {
            // A transaction answers Ok whichever branch it took; an Ok without its result is not one we can check.
            KvStatus.Ok when request.Operation == KvOperation.Txn && response.Txn is null => OpStatus.Unknown,
            KvStatus.Ok => OpStatus.Ok,
            KvStatus.NotFound => OpStatus.NotFound,
            KvStatus.CompareFailed => OpStatus.CompareFailed,
            KvStatus.NotLeader or KvStatus.InvalidRequest or KvStatus.Overloaded => OpStatus.Failed,
            _ => OpStatus.Unknown,
        };
        if (response is { Status: not (KvStatus.Ok or KvStatus.NotFound or KvStatus.CompareFailed) })
        {
            // Digits vary from answer to answer (times, indexes); without them, answers of one kind count together.
            var error = new string([.. $"{response.Status}: {response.Error}".Select(c => char.IsAsciiDigit(c) ? '#' : c)]);
            _errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        }
        var op = new HistoryOp
        {
            Id = id,
            Client = client,
            Key = request.Key,
            Kind = request.Operation switch
            {
                KvOperation.Get => OpKind.Get,
                KvOperation.Set => OpKind.Set,
                KvOperation.Delete => OpKind.Delete,
                KvOperation.Txn => OpKind.Transaction,
                _ => OpKind.CompareAndSet,
            },
            Txn = request.Txn is { } txn ? ToChecker(txn) : null,
            Outcome = request.Txn is { } asked && status == OpStatus.Ok && response?.Txn is { } answer ? ToChecker(asked, answer) : null,
            Revision = status == OpStatus.Ok && request.IsWrite ? response?.Revision ?? 0 : 0,
            Value = request.Value,
            Expected = request.Expected,
            Invoke = invoke,
            Complete = complete,
            Status = status,
            Output = request.Operation == KvOperation.Get || status == OpStatus.CompareFailed ? response?.Value : null,
        };
        _history.Enqueue(op);
        return (op, response);
    }

    private async Task NemesisAsync(CancellationToken stop)
    {
        var random = new Random(options.Seed);
        // The node mode's extra whole-silo faults draw from a stream of their own, so the other faults' schedule stays the seed's.
        var crashes = new Random(unchecked((options.Seed * 31) + 2_000_003));
        // Let the clients get going before the first fault.
        await Delay(TimeSpan.FromMilliseconds(random.Next(500, 1500)), stop);
        while (!stop.IsCancellationRequested)
        {
            var kind = random.Next(9);
            var hold = TimeSpan.FromMilliseconds(random.Next(1000, 3500));
            // No draw with one group: a seed's schedule stays what it was before groups.
            var group = Groups.Count == 1 ? Groups[0] : Groups[random.Next(Groups.Count)];
            try
            {
                switch (cluster.ProcessFaultsOften && crashes.Next(3) == 0 ? -1 : kind)
                {
                    case -1: await cluster.CrashAsync(crashes, hold, Count, options.Log, stop); break;
                    case 0: await RandomHalvesAsync(group, random, hold, stop); break;
                    case 1: await IsolateLeaderAsync(group, hold, stop); break;
                    case 2: await BridgeAsync(group, random, hold, stop); break;
                    case 3: await cluster.CrashAsync(random, hold, Count, options.Log, stop); break;
                    case 4: await StopReplicasAsync(group, random, hold, stop); break;
                    case 5: await DropAsync(group, random, hold, stop); break;
                    case 6: await NoQuorumAsync(group, random, hold, stop); break;
                    case 7: await StopLeaderAsync(group, hold, stop); break;
                    default: await DelayMessagesAsync(group, random, hold, stop); break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // A fault call may fail when the silo holding the fault control dies; its faults are then healed.
                Count("fault call failed");
                options.Log($"nemesis: fault call failed: {ex.GetType().Name}: {ex.Message}");
            }
            await Delay(TimeSpan.FromMilliseconds(random.Next(300, 1200)), stop);
        }
    }

    private async Task RandomHalvesAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        var count = random.Next(1, 3);
        var side = Shuffle(random, Names(await ListAsync(group))).Take(count).ToArray();
        Count("random halves");
        options.Log($"nemesis: {On(group)}split {string.Join(",", side)} from the rest");
        await Faults.Split(group, "halves", side);
        await Delay(hold, stop);
        await Faults.Heal(group);
    }

    private async Task IsolateLeaderAsync(string group, TimeSpan hold, CancellationToken stop)
    {
        var leader = await LeaderAsync(group);
        if (leader is null) return;
        Count("leader isolation");
        options.Log($"nemesis: {On(group)}isolate leader {leader}");
        await Faults.Split(group, "leader", [leader]);
        await Delay(hold, stop);
        await Faults.Heal(group);
    }

    /// <summary>
    /// A bridge a,b - c - d,e among the voters (a - b - c,d of four, a - b - c of three): the links between the sides
    /// are cut, so c hears both sides while they never hear each other, and each side is a majority only together
    /// with c. Learners stay linked to everyone.
    /// </summary>
    private async Task BridgeAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        var order = Shuffle(random, Voters(await ListAsync(group)));
        if (order.Length < 3) return;
        var middle = (order.Length - 1) / 2;
        string[] left = order[..middle], right = order[(middle + 1)..];
        Count("bridge");
        options.Log($"nemesis: {On(group)}bridge {string.Join(",", left)} <- {order[middle]} -> {string.Join(",", right)}");
        await Faults.Cut(group, left, right);
        await Delay(hold, stop);
        await Faults.Heal(group);
    }

    /// <summary>
    /// {a,b} | {c} | {d,e} among the voters ({a,b} | {c,d} of four, {a} | {b} | {c} of three), learners in the middle:
    /// no side has a majority, so requests time out with their outcomes unknown.
    /// </summary>
    private async Task NoQuorumAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        var order = Shuffle(random, Voters(await ListAsync(group)));
        var half = order.Length / 2;
        if (half == 0) return;
        string[] left = order[..half], middle = order[half..^half], right = order[^half..];
        Count("no-quorum split");
        options.Log($"nemesis: {On(group)}split {string.Join(" | ", new[] { left, middle, right }.Where(side => side.Length > 0).Select(side => string.Join(",", side)))}");
        await Faults.Split(group, "left", left);
        await Faults.Split(group, "right", right);
        await Delay(hold, stop);
        await Faults.Heal(group);
    }

    private async Task StopReplicasAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        // Up to three: with a majority stopped nothing commits, and clients see timeouts (unknown outcomes).
        var count = random.Next(1, 4);
        var victims = Shuffle(random, Names(await ListAsync(group))).Take(count).ToArray();
        Count("replica stop");
        options.Log($"nemesis: {On(group)}stop {string.Join(",", victims)}");
        try
        {
            foreach (var v in victims) await Faults.StopReplica(group, v);
            await Delay(hold, stop);
        }
        finally
        {
            foreach (var v in victims) await RestartAsync(group, v);
        }
    }

    /// <summary>Crash-stops the leader: its pending requests end "may or may not take effect", and the gateway retries them.</summary>
    private async Task StopLeaderAsync(string group, TimeSpan hold, CancellationToken stop)
    {
        var leader = await LeaderAsync(group);
        if (leader is null) return;
        Count("leader stop");
        options.Log($"nemesis: {On(group)}stop leader {leader}");
        try
        {
            await Faults.StopReplica(group, leader);
            await Delay(hold, stop);
        }
        finally
        {
            await RestartAsync(group, leader);
        }
    }

    private async Task DropAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        var rate = random.Next(10, 31) / 100.0;
        Count("message loss");
        options.Log($"nemesis: {On(group)}drop {rate:P0} of messages");
        await Faults.SetDropRate(group, rate);
        await Delay(hold, stop);
        await Faults.SetDropRate(group, 0);
    }

    private async Task DelayMessagesAsync(string group, Random random, TimeSpan hold, CancellationToken stop)
    {
        var max = random.Next(20, 120);
        Count("message delay");
        options.Log($"nemesis: {On(group)}delay messages 5-{max} ms");
        await Faults.SetDelay(group, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(max));
        await Delay(hold, stop);
        await Faults.SetDelay(group, TimeSpan.Zero, TimeSpan.Zero);
    }

    // The fault in force is always undone, even at the end of the run: only the wait is cut short.
    private static Task Delay(TimeSpan wait, CancellationToken stop) =>
        Task.Delay(wait, stop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void Count(string kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>"group: " before a line about one group, when there are several.</summary>
    private string On(string group) => Groups.Count == 1 ? "" : $"{group}: ";

    private async Task HealAsync(string group)
    {
        await UntilDoneAsync(async () => { await Faults.Forget(group); return true; }, "forget the faults");
        // With no leader, the list shows only the running members; the directory holds the configuration last committed.
        var registered = await UntilDoneAsync(() => cluster.Client.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers(), "read the group's directory");
        var members = InNameOrder(Names(await ListAsync(group)).Union(registered.Select(ReplicaKey.NameOf)));
        foreach (var status in await StatusAsync(group, members))
        {
            if (status.Running) continue;
            try
            {
                await UntilDoneAsync(async () => { await Faults.StartReplica(group, status.Replica, []); return true; }, $"start {On(group)}{status.Replica}");
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Removed and retired as the run ended: nothing to start.
                options.Log($"nemesis: {On(group)}{status.Replica} not started: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// A call of the checks after the run, tried again while it fails in the cluster's messaging: the client may send
    /// it through the gateway of a silo killed moments ago.
    /// </summary>
    private async Task<T> UntilDoneAsync<T>(Func<Task<T>> call, string what)
    {
        var deadline = _clock.Elapsed + Patience;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && _clock.Elapsed < deadline)
            {
                options.Log($"nemesis: {what} failed, trying again: {ex.GetType().Name}: {ex.Message}");
                await Task.Delay(500);
            }
        }
    }

    private async Task<Dictionary<string, string?>> ReadFinalValuesAsync()
    {
        var finals = new Dictionary<string, string?>();
        foreach (var key in Enumerable.Range(0, options.Keys).Select(k => $"k{k}"))
        {
            var deadline = _clock.Elapsed + Patience;
            while (true)
            {
                // Final reads join the history, so the checker sees them too.
                var (op, _) = await ExecuteAsync(-1, KvRequest.Get(key));
                if (op.Status is OpStatus.Ok or OpStatus.NotFound)
                {
                    finals[key] = op.Output;
                    break;
                }
                if (_clock.Elapsed > deadline) throw new TimeoutException($"no final read of {key} succeeded within {Patience}");
                await Task.Delay(200);
            }
        }
        return finals;
    }

    /// <summary>The logs of the group's members at the end; removed replicas have retired their storage.</summary>
    private async Task<Dictionary<string, (long Commit, LogPosition[] Positions)>> ReadLogsAsync(string group, MemberList members)
    {
        var logs = new Dictionary<string, (long, LogPosition[])>();
        foreach (var status in await StatusAsync(group, Names(members)))
        {
            logs[status.Replica] = (status.CommitIndex,
                await UntilDoneAsync(() => Replica(group, status.Replica).GetLogPositions(1, status.CommitIndex), $"read the log of {status.Replica}"));
        }
        return logs;
    }

    private async Task<ReplicaStatus[]> StatusAsync(string group, IEnumerable<string> replicas) => await Task.WhenAll(replicas.Select(async m =>
    {
        try
        {
            return await Replica(group, m).GetStatus().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ReplicaStatus { Group = group, Replica = m, Error = ex.Message };
        }
    }));

    /// <summary>The live leader of the newest term, as the membership lists it; null with none.</summary>
    private async Task<string?> LeaderAsync(string group) => (await TryListAsync(group))?.Leader;

    private Task WaitForLeaderAsync(string group) => WaitForAsync(async () =>
    {
        if (await TryListAsync(group) is not { Leader: { } name } list) return null;
        var voters = Voters(list);
        var statuses = await StatusAsync(group, voters);
        var leader = statuses.FirstOrDefault(s => s.Replica == name && s.Role == ReplicaRole.Leader);
        if (leader is null) return null;
        var followers = statuses.Count(s => s.Running && s.CurrentTerm == leader.CurrentTerm && s.LeaderId == leader.Replica);
        return followers > voters.Length / 2 ? list : null;
    }, $"{On(group)}a leader followed by a majority");

    /// <summary>Waits for every member, learners too, to run and apply the same entries, with no change pending; returns the members.</summary>
    private Task<MemberList> WaitForConvergenceAsync(string group) => WaitForAsync(async () =>
    {
        if (await TryListAsync(group) is not { Leader: not null, ChangePending: false } list) return null;
        var statuses = await StatusAsync(group, Names(list));
        return statuses.All(s => s.Running) && statuses.Select(s => s.LastApplied).Distinct().Count() == 1 ? list : null;
    }, $"{On(group)}every member to apply the same entries");

    private async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = _clock.Elapsed + Patience;
        while (true)
        {
            if (await probe() is { } done) return done;
            if (_clock.Elapsed > deadline) throw new TimeoutException($"gave up waiting for {what} after {Patience.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    private string Summarize(List<HistoryOp> history, List<AppendOp> appends, CheckResult linearizability, CheckResult listAppend, TimeSpan checkTime, List<string> lost,
        List<string> mismatches, int compared, Dictionary<string, Dictionary<string, (long Commit, LogPosition[] Positions)>> logs, int removedLogs,
        Dictionary<string, MemberList> members, IReadOnlyDictionary<string, long> readPaths, bool readPathsPartial, List<WatchReport> watches)
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {options.Seed}: {history.Count} operations in {options.Duration.TotalSeconds:0} s ({options.Clients} clients, {options.Keys} keys" +
            (Groups.Count == 1 ? "" : $", {Groups.Count} groups") + $", read mode {options.ReadMode})" +
            (appends.Count == 0 ? "" : $"; and {appends.Count} list operations ({options.Clients} more clients)"));
        if (Groups.Count > 1)
        {
            var keysOf = Enumerable.Range(0, options.Keys).Select(k => $"k{k}").ToLookup(_shards.GroupOf);
            var opsOf = history.CountBy(op => _shards.GroupOf(op.Key)).ToDictionary();
            text.AppendLine("groups: " + string.Join("; ", Groups.Select(g => $"{g} {keysOf[g].Count()} keys, {opsOf.GetValueOrDefault(g)} operations")));
        }
        text.AppendLine("operations by outcome:");
        foreach (var kind in history.GroupBy(op => op.Kind).OrderBy(g => g.Key))
        {
            var outcomes = kind.GroupBy(op => op.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
            text.AppendLine($"  {kind.Key,-14} {kind.Count(),6}: {string.Join(", ", outcomes)}");
        }
        var txns = history.Where(op => op.Kind == OpKind.Transaction).ToList();
        text.AppendLine($"transactions: {txns.Count} on {AccountA}, {AccountB} ({txns.Count(op => op.Txn!.Writes)} transfers, {txns.Count(op => !op.Txn!.Writes)} reads of both); " +
            $"then {txns.Count(op => op.Outcome?.Succeeded == true)}, else {txns.Count(op => op.Outcome?.Succeeded == false)}, reads not returned {txns.Count(op => op.Outcome is { Reads: null })}");
        // What the replicas say they did: a get answered through the log, by read index, or within a lease.
        text.AppendLine("gets served by the replicas: " + (readPaths.Count == 0 ? "none" : string.Join(", ", readPaths.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")))
            + (readPathsPartial ? " (at least: a node's count could not be read before it was killed)" : ""));
        if (!_errors.IsEmpty)
        {
            text.AppendLine("answers other than a result:");
            foreach (var (error, count) in _errors.OrderByDescending(e => e.Value).Take(8)) text.AppendLine($"  {count,6}  {error}");
        }
        text.AppendLine("faults injected:");
        foreach (var (kind, count) in _faults.OrderBy(f => f.Key))
        {
            var outcomes = _outcomes.Where(o => o.Key.Kind == kind).OrderByDescending(o => o.Value).ThenBy(o => o.Key.Outcome, StringComparer.Ordinal)
                .Select(o => $"{o.Value} {o.Key.Outcome}").ToList();
            text.AppendLine($"  {kind,-18} {count}{(outcomes.Count == 0 ? "" : $" ({string.Join(", ", outcomes)})")}");
        }
        text.AppendLine($"membership: {_membershipChanges} changes committed");
        foreach (var (group, list) in members)
        {
            var learners = list.Members.Where(m => m.Role == MemberRole.Learner).Select(m => m.Replica).ToList();
            text.AppendLine($"  {On(group)}voters at the end {string.Join(", ", Voters(list))}" + (learners.Count == 0 ? "" : $", learners {string.Join(", ", learners)}"));
        }
        text.AppendLine(CheckSummary.Lines(linearizability, listAppend, appends, checkTime));
        text.AppendLine($"watches: {(watches.All(w => w.Passed) ? "every acknowledged change reached every watcher once, in revision order" : $"{watches.Count(w => !w.Passed)} of {watches.Count} FAILED")}");
        foreach (var w in watches)
        {
            text.AppendLine($"  {w.Watcher,-22} {w.Events,6} events{(w.Compacted ? ", COMPACTED" : "")}: {(w.Passed ? "ok" : $"{w.Problems.Count} problems")}");
            foreach (var p in w.Problems) text.AppendLine($"    {p}");
        }
        text.AppendLine(lost.Count == 0 ? "acknowledged writes: none lost" : $"acknowledged writes: {lost.Count} LOST");
        foreach (var l in lost) text.AppendLine($"  {l}");
        text.AppendLine(mismatches.Count == 0
            ? $"logs: match ({compared} committed indexes compared; commit indexes {string.Join("; ", logs.Select(g => On(g.Key) + string.Join(", ", InNameOrder(g.Value.Keys).Select(name => $"{name}={g.Value[name].Commit}"))))}" +
              $"{(removedLogs == 0 ? "" : $"; and {removedLogs} removed replicas' logs as they were before their removal")})"
            : $"logs: {mismatches.Count} MISMATCHES");
        foreach (var m in mismatches) text.AppendLine($"  {m}");
        var passed = linearizability.IsLinearizable && listAppend.IsLinearizable && lost.Count == 0 && mismatches.Count == 0 && watches.All(w => w.Passed);
        var unknown = linearizability.Verdict == Verdict.Inconclusive && listAppend.IsLinearizable && lost.Count == 0 && mismatches.Count == 0 && watches.All(w => w.Passed);
        text.AppendLine($"verdict: {(passed ? "PASS" : unknown ? "UNKNOWN (the checker ran out of budget; see above)" : "FAIL")}; replay with --seed {options.Seed}");
        return text.ToString().TrimEnd();
    }
}
