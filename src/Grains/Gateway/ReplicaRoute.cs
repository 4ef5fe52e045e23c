namespace Orleans.Raft.Gateway;

/// <summary>
/// Which replica the gateway asks next: the leader it knows, else the next member in turn. A replica that failed or
/// stopped answering is passed over, and a hint naming it is not followed, for <c>passOver</c>: long enough for the
/// others to elect a leader without it (until then, a follower still names the dead leader as its leader). A replica
/// that answers, a request or a status probe, is trusted again at once.
/// </summary>
internal sealed class ReplicaRoute(TimeProvider time, TimeSpan passOver)
{
    private readonly Dictionary<string, long> _passedOverUntil = [];
    private int _next;
    private int _nextReader;

    /// <summary>The leader last learnt, from an answer or a hint; null when unknown.</summary>
    public string? Leader { get; private set; }

    /// <summary>The replica to ask: the known leader, else the next member not passed over (any member, if all are).</summary>
    public string Next(string[] members)
    {
        if (Leader is { } leader && !IsPassedOver(leader)) return leader;
        for (var i = 0; i < members.Length; i++)
        {
            var candidate = members[_next++ % members.Length];
            if (!IsPassedOver(candidate)) return candidate;
        }
        return members[_next++ % members.Length];
    }

    /// <summary>
    /// The replicas to ask, in this order, for a read that any of them may serve (a serializable get): those on this
    /// silo first, then the others, each time starting one further along so the reads spread; a replica passed over
    /// comes after every other.
    /// </summary>
    public string[] ReadOrder(string[] members, Func<string, bool> isLocal)
    {
        if (members.Length == 0) return [];
        var start = (int)((uint)_nextReader++ % (uint)members.Length);
        return [.. members.Skip(start).Concat(members.Take(start)).OrderBy(m => IsPassedOver(m) ? 2 : isLocal(m) ? 0 : 1)];
    }

    /// <summary>The replica served the request, or named itself: it leads.</summary>
    public void Served(string replica)
    {
        _passedOverUntil.Remove(replica);
        Leader = replica;
    }

    /// <summary>
    /// The replica answered that it does not lead; follow its hint unless the hint is the replica itself, not a member,
    /// or passed over. True when there is a leader to ask at once.
    /// </summary>
    public bool NotLeader(string replica, string? hint, string[] members)
    {
        _passedOverUntil.Remove(replica);
        Leader = hint is not null && hint != replica && members.Contains(hint) && !IsPassedOver(hint) ? hint : null;
        return Leader is not null;
    }

    /// <summary>The replica answered a status probe: it was slow, not gone.</summary>
    public void Answered(string replica) => _passedOverUntil.Remove(replica);

    /// <summary>The replica failed or did not answer in time: ask the others for a while.</summary>
    public void PassOver(string replica)
    {
        _passedOverUntil[replica] = time.GetTimestamp() + (long)(passOver.TotalSeconds * time.TimestampFrequency);
        if (Leader == replica) Leader = null;
    }

    /// <summary>Forget the leader (it answered with a timeout, or an election was started elsewhere).</summary>
    public void Forget() => Leader = null;

    public bool IsPassedOver(string replica)
    {
        if (!_passedOverUntil.TryGetValue(replica, out var until)) return false;
        if (time.GetTimestamp() < until) return true;
        _passedOverUntil.Remove(replica);
        return false;
    }
}
