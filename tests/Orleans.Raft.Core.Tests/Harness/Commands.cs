using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>Deterministic command payloads for tests (request ids come from the caller's seeded Random).</summary>
public static class Commands
{
    public static Guid NewRequestId(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public static byte[] Set(string key, string value, Random random) =>
        new Command(CommandOperation.Set, key, value, null, NewRequestId(random), 0).Encode();

    public static byte[] Set(string key, string value, int requestNumber) =>
        new Command(CommandOperation.Set, key, value, null, IdOf(requestNumber), 0).Encode();

    /// <summary>A request id that is the same for the same number (so tests can retry a request).</summary>
    public static Guid IdOf(int requestNumber)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes, requestNumber);
        bytes[15] = 0x5A; // never Guid.Empty, which means "no de-duplication"
        return new Guid(bytes);
    }
}
