using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>Deterministic command payloads for tests (randomness comes from the caller's seeded Random).</summary>
public static class Commands
{
    public static byte[] Set(string key, string value, Random random) =>
        new Command(CommandOperation.Set, key, value, null, 0, random.NextInt64(1, long.MaxValue)).Encode();

    /// <summary>A set without a session: the same number gives the same bytes, so tests can retry a request.</summary>
    public static byte[] Set(string key, string value, int requestNumber) =>
        new Command(CommandOperation.Set, key, value, null, 0, requestNumber).Encode();

    /// <summary>
    /// One of the randomized schedules' writes: sets, deletes, compare-and-sets and appends over a few keys, in
    /// session (0 for none) with sequence number id, so a repeated id is a client's retry; now and then a new session.
    /// The same (random state, id, session) gives the same command.
    /// </summary>
    public static byte[] RandomWrite(Random random, int id, long session)
    {
        var key = $"k{id % 7}";
        var value = $"v{id}";
        var command = random.Next(20) switch
        {
            < 8 => new Command(CommandOperation.Set, key, value, null, session, id),
            < 11 => new Command(CommandOperation.Delete, key, null, null, session, id),
            < 15 => new Command(CommandOperation.CompareAndSet, key, value, random.Next(2) == 0 ? null : $"v{random.Next(Math.Max(1, id))}", session, id),
            < 19 => new Command(CommandOperation.Append, key, $".{id}", null, session, id),
            _ => Command.RegisterSession(),
        };
        return command.Encode();
    }
}
