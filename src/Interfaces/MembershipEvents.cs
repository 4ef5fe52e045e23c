namespace Orleans.Raft;

/// <summary>
/// The membership steps recorded after a sequence number. The record lives in the membership grain's memory: a new
/// activation (its silo died, say) starts an empty record under a new <see cref="Epoch"/>, numbered from 1 again.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MembershipEvents
{
    [Id(0)] public required string Group { get; init; }

    /// <summary>Names this activation's record: when it changes, earlier sequence numbers mean nothing.</summary>
    [Id(1)] public required string Epoch { get; init; }

    /// <summary>The newest sequence number recorded, 0 when none: the 'after' that asks for only what comes next.</summary>
    [Id(2)] public long Last { get; init; }

    /// <summary>Steps after the asked sequence number that the bounded record no longer holds.</summary>
    [Id(3)] public long Missed { get; init; }

    /// <summary>Oldest first.</summary>
    [Id(4)] public MembershipEvent[] Events { get; init; } = [];
}
