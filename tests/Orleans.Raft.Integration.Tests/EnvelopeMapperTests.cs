using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;
using Orleans.Serialization;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A core message through its wire form and Orleans' serializer, as between two silos.</summary>
public sealed class EnvelopeMapperTests
{
    [Fact]
    public void A_message_with_every_field_set_arrives_unchanged()
    {
        var sent = new RaftMessage
        {
            Type = MessageType.InstallSnapshotResponse,
            From = "r1",
            To = "r2",
            Term = 1,
            LogTerm = 2,
            Index = 3,
            Commit = 4,
            Entries = [new LogEntry(5, 6, LogEntryType.Command, [7]), LogEntry.NoOp(8, 9)],
            Reject = true,
            ConflictIndex = 10,
            ConflictTerm = 11,
            Force = true,
            Offset = 12,
            Data = [13, 14],
            Done = true,
            Checksum = 15,
            Round = 16,
        };

        var received = RoundTrip(sent);

        // Records compare arrays by reference: the scalars here, the entries and data below.
        Assert.Equal(sent, received with { Entries = sent.Entries, Data = sent.Data });
        Assert.Equal(sent.Data, received.Data);
        Assert.Equal(
            sent.Entries.Select(e => (e.Index, e.Term, e.Type, Convert.ToHexString(e.Data))),
            received.Entries.Select(e => (e.Index, e.Term, e.Type, Convert.ToHexString(e.Data))));
    }

    [Theory]
    [InlineData(MessageType.ReadIndex, false)]
    [InlineData(MessageType.ReadIndexResponse, false)]
    [InlineData(MessageType.ReadIndexResponse, true)]
    public void A_read_message_arrives_with_its_type_index_and_context(MessageType type, bool reject)
    {
        var sent = new RaftMessage { Type = type, From = "r2", To = "r1", Term = 7, Index = 41, Data = [1, 2, 3], Reject = reject };

        var received = RoundTrip(sent);

        Assert.Equal(sent, received with { Entries = sent.Entries, Data = sent.Data });
        Assert.Equal(sent.Data, received.Data);
        Assert.Empty(received.Entries);
    }

    [Fact]
    public void An_envelope_from_a_silo_without_rounds_decodes_with_round_zero()
    {
        var old = new EnvelopeWithoutRound(
            (byte)MessageType.AppendEntriesResponse, "r2", "r1", 3, 2, 9, 0, [], false, 0, 0, false, 0, [], false, 0, null, "r2@n2");
        var serializer = Serializer();

        // Written as the old type, read as today's: fields are matched by id, so only the new one is missing.
        var envelope = serializer.Deserialize<RaftEnvelope>(serializer.SerializeToArray(old))!;
        var received = EnvelopeMapper.FromWire(envelope);

        Assert.Equal("r2@n2", envelope.FromMember);
        Assert.Equal(0, received.Round);
        Assert.Equal((MessageType.AppendEntriesResponse, "r2", "r1", 3L, 2L, 9L), (received.Type, received.From, received.To, received.Term, received.LogTerm, received.Index));
    }

    private static RaftMessage RoundTrip(RaftMessage sent)
    {
        var serializer = Serializer();
        return EnvelopeMapper.FromWire(serializer.Deserialize<RaftEnvelope>(serializer.SerializeToArray(EnvelopeMapper.ToWire(sent)))!);
    }

    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private static Serializer Serializer() => Services.GetRequiredService<Serializer>();

    /// <summary><see cref="RaftEnvelope"/> as it was before it carried Round (ids 0-17).</summary>
    [GenerateSerializer]
    internal sealed record EnvelopeWithoutRound(
        [property: Id(0)] byte Type, [property: Id(1)] string From, [property: Id(2)] string To,
        [property: Id(3)] long Term, [property: Id(4)] long LogTerm, [property: Id(5)] long Index, [property: Id(6)] long Commit,
        [property: Id(7)] WireLogEntry[] Entries,
        [property: Id(8)] bool Reject, [property: Id(9)] long ConflictIndex, [property: Id(10)] long ConflictTerm, [property: Id(11)] bool Force,
        [property: Id(12)] long Offset, [property: Id(13)] byte[] Data, [property: Id(14)] bool Done, [property: Id(15)] long Checksum,
        [property: Id(16)] byte[]? Configuration,
        [property: Id(17)] string? FromMember);
}
