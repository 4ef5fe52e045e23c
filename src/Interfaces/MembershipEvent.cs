namespace Orleans.Raft;

/// <summary>One step of a membership operation, or its refusal, as the membership grain recorded it.</summary>
[GenerateSerializer, Immutable]
public sealed record MembershipEvent
{
    /// <summary>Counts from 1 within one <see cref="MembershipEvents.Epoch"/>.</summary>
    [Id(0)] public long Sequence { get; init; }
    [Id(1)] public DateTimeOffset Time { get; init; }

    /// <summary>The operation the step belongs to: member add, member remove, leader transfer, node drain or self-repair.</summary>
    [Id(2)] public required string Operation { get; init; }
    [Id(3)] public required string Text { get; init; }

    /// <summary>The operation was refused; Text says why.</summary>
    [Id(4)] public bool Refused { get; init; }
}
