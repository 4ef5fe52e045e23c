using System.Collections.Concurrent;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// Membership faults, as Jepsen's etcd nemesis has them: members replaced, removed and added, and leadership handed
/// over, through the membership grain an operator uses, while the other faults come and go. A refusal (a change in
/// progress, too few live voters, no leader) is an outcome like any other and is counted; so is any other exception,
/// by its type. The group keeps 3 to 5 members.
/// </summary>
public sealed partial class NemesisRun
{
    // The most members a group has in either mode: Shuffle always draws for this many.
    private const int MaxMembers = 5;
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Kind, string Outcome), int> _outcomes = new();
    // Each group's membership as last listed, for when listing fails (the membership grain's silo was just killed).
    private readonly ConcurrentDictionary<string, MemberList> _membership = new();
    // Each listed replica's member name, with its node when it has one.
    private readonly ConcurrentDictionary<(string Group, string Replica), string> _memberKeys = new();
    private int _membershipChanges;
    // Each removed replica's committed log just before its removal: it retires its storage, and the end checks would
    // otherwise see only the members left.
    private readonly ConcurrentDictionary<(string Group, string Replica), (long Commit, LogPosition[] Positions)> _removedLogs = new();

    private IRaftMembershipGrain Membership(string group) => cluster.Client.GetGrain<IRaftMembershipGrain>(group);

    private async Task<MemberList?> TryListAsync(string group)
    {
        try
        {
            var list = await Membership(group).List().WaitAsync(ListTimeout);
            if (list.Members.Length == 0) return null;
            _membership[group] = list;
            foreach (var m in list.Members) _memberKeys[(group, m.Replica)] = ReplicaKey.Member(m.Replica, m.Node);
            return list;
        }
        // A client call to silo processes can also end cancelled (a grain lookup cut short by a node's death).
        catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<MemberList> ListAsync(string group) => await TryListAsync(group) ?? _membership.GetValueOrDefault(group) ?? new MemberList
    {
        Group = group,
        Members = [.. cluster.InitialMembers.Select(m => new MemberInfo { Replica = m, Role = MemberRole.Voter })],
    };

    /// <summary>Voters and learners, in name order.</summary>
    private static string[] Names(MemberList list) => InNameOrder(list.Members.Select(m => m.Replica));

    private static string[] Voters(MemberList list) => InNameOrder(list.Members.Where(m => m.Role == MemberRole.Voter).Select(m => m.Replica));

    /// <summary>r2 before r10: names are "r" and a number.</summary>
    private static string[] InNameOrder(IEnumerable<string> names) => [.. names.OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal)];

    /// <summary>
    /// Orders the names by one draw each, and always draws for at least five: the draws after it are then the same
    /// whatever the group's size, so one membership change does not reshuffle the rest of the schedule.
    /// </summary>
    private static string[] Shuffle(Random random, string[] names)
    {
        var keys = Enumerable.Range(0, Math.Max(MaxMembers, names.Length)).Select(_ => random.Next()).ToArray();
        return [.. names.Select((name, i) => (name, key: keys[i])).OrderBy(p => p.key).Select(p => p.name)];
    }

    /// <summary>Starts a replica the nemesis stopped. One removed meanwhile has retired its storage and cannot start: it stays down.</summary>
    private async Task RestartAsync(string group, string replica)
    {
        try
        {
            await Faults.StartReplica(group, replica, []);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            if (Names(await ListAsync(group)).Contains(replica)) throw;
            options.Log($"nemesis: {On(group)}{replica} left the group while stopped and stays down: {ex.Message}");
        }
    }

    private async Task MembershipNemesisAsync(CancellationToken stop)
    {
        // A stream of its own: the other faults' schedule stays what the seed made it before membership faults.
        var random = new Random(unchecked((options.Seed * 31) + 1_000_003));
        await Delay(TimeSpan.FromMilliseconds(random.Next(1000, 3000)), stop);
        while (!stop.IsCancellationRequested)
        {
            // As many draws every round, whatever the membership is.
            var roll = random.Next(100);
            var pick = random.Next();
            var leader = random.Next(4) == 0;
            var grow = random.Next(2) == 0;
            var pause = TimeSpan.FromMilliseconds(random.Next(1000, 4000));
            // No draw with one group: a seed's schedule stays what it was before groups.
            var group = Groups.Count == 1 ? Groups[0] : Groups[random.Next(Groups.Count)];
            // With no leader the list holds what the running replicas know, which may name no voter.
            if (await TryListAsync(group) is not { } list || Voters(list).Length == 0)
            {
                options.Log($"nemesis: {On(group)}no voter listed; no membership change this round");
            }
            else
            {
                try
                {
                    if (roll < 45) await ReplaceMemberAsync(group, list, pick, leader, grow);
                    else if (roll < 70) await TransferLeadershipAsync(group, list, pick);
                    else await ResizeAsync(group, list, pick, leader, grow);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    Count("fault call failed");
                    options.Log($"nemesis: membership fault failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
            // Until one change commits, try again soon: every run, however short, changes its membership.
            await Delay(Volatile.Read(ref _membershipChanges) == 0 ? TimeSpan.FromMilliseconds(300) : pause, stop);
        }
    }

    /// <summary>Replaces a voter (the leader, now and then) with a new replica: removed first at 5 members, added first at 3.</summary>
    private async Task ReplaceMemberAsync(string group, MemberList list, int pick, bool leader, bool grow)
    {
        const string Kind = "member replace";
        var victim = Victim(list, pick, leader);
        var addFirst = list.Members.Length <= cluster.MinMembers || (list.Members.Length < cluster.MaxMembers && grow);
        Count(Kind);
        options.Log($"nemesis: {On(group)}replace {victim}{(victim == list.Leader ? " (the leader)" : "")}, {(addFirst ? "adding first" : "removing first")}");
        Func<Task<string>> add = () => Membership(group).Add(null), remove = () => RemoveAsync(group, victim);
        var (first, second) = addFirst ? (add, remove) : (remove, add);
        if (await ChangeAsync(Kind, first) is { } refused)
        {
            Outcome(Kind, refused);
            return;
        }
        var outcome = await ChangeAsync(Kind, second);
        Outcome(Kind, outcome is null ? "done" : $"half done, then {outcome}");
    }

    /// <summary>Removes a voter (the leader, now and then) down to 3 members, or adds a new replica up to 5.</summary>
    private async Task ResizeAsync(string group, MemberList list, int pick, bool leader, bool grow)
    {
        var add = list.Members.Length <= cluster.MinMembers || (list.Members.Length < cluster.MaxMembers && grow);
        var kind = add ? "member add" : "member remove";
        var victim = Victim(list, pick, leader);
        Count(kind);
        options.Log(add ? $"nemesis: {On(group)}add a member" : $"nemesis: {On(group)}remove {victim}{(victim == list.Leader ? " (the leader)" : "")}");
        Outcome(kind, await ChangeAsync(kind, add ? () => Membership(group).Add(null) : () => RemoveAsync(group, victim)) ?? "done");
    }

    /// <summary>A graceful handover to a live voter other than the leader.</summary>
    private async Task TransferLeadershipAsync(string group, MemberList list, int pick)
    {
        const string Kind = "leader transfer";
        var candidates = InNameOrder(list.Members.Where(m => m.Role == MemberRole.Voter && m.Live && !m.IsLeader).Select(m => m.Replica));
        // With none, a voter all the same: the refusal is an outcome too.
        if (candidates.Length == 0) candidates = Voters(list);
        var target = candidates[pick % candidates.Length];
        Count(Kind);
        options.Log($"nemesis: {On(group)}transfer leadership from {list.Leader ?? "(none)"} to {target}");
        Outcome(Kind, await CallAsync(Kind, () => Membership(group).TransferLeadership(target)) ?? "done");
    }

    private async Task<string> RemoveAsync(string group, string replica)
    {
        try
        {
            var status = await Replica(group, replica).GetStatus().WaitAsync(ListTimeout);
            if (status.Running) _removedLogs[(group, replica)] = (status.CommitIndex, await Replica(group, replica).GetLogPositions(1, status.CommitIndex).WaitAsync(ListTimeout));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Unreachable: its log goes unchecked.
        }
        return await Membership(group).Remove(replica);
    }

    private static string Victim(MemberList list, int pick, bool leader)
    {
        var voters = Voters(list);
        return leader && list.Leader is { } current ? current : voters[pick % voters.Length];
    }

    /// <summary>A membership change: null once it committed, else what happened instead.</summary>
    private async Task<string?> ChangeAsync(string kind, Func<Task<string>> change)
    {
        var outcome = await CallAsync(kind, change);
        if (outcome is null) Interlocked.Increment(ref _membershipChanges);
        return outcome;
    }

    /// <summary>Null when the membership grain did it, "refused" when it said no, else the exception's type.</summary>
    private async Task<string?> CallAsync(string kind, Func<Task<string>> call)
    {
        try
        {
            options.Log($"nemesis: {kind}: {await call()}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            options.Log($"nemesis: {kind} refused: {ex.Message}");
            return "refused";
        }
        catch (Exception ex)
        {
            // Unexpected, and shown by type in the summary; the run goes on.
            options.Log($"nemesis: {kind} failed: {ex.GetType().Name}: {ex.Message}");
            return ex.GetType().Name;
        }
    }

    private void Outcome(string kind, string outcome) => _outcomes.AddOrUpdate((kind, outcome), 1, (_, n) => n + 1);
}
