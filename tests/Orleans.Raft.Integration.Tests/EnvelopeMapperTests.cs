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
        };
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        var received = EnvelopeMapper.FromWire(serializer.Deserialize<RaftEnvelope>(serializer.SerializeToArray(EnvelopeMapper.ToWire(sent)))!);

        // Records compare arrays by reference: the scalars here, the entries and data below.
        Assert.Equal(sent, received with { Entries = sent.Entries, Data = sent.Data });
        Assert.Equal(sent.Data, received.Data);
        Assert.Equal(
            sent.Entries.Select(e => (e.Index, e.Term, e.Type, Convert.ToHexString(e.Data))),
            received.Entries.Select(e => (e.Index, e.Term, e.Type, Convert.ToHexString(e.Data))));
    }
}
