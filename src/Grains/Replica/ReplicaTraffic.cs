using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Replica;

/// <summary>
/// Watches one replica's Raft messages for the etcd-style timings no single message carries: a leader's heartbeat round
/// trip to each peer, and how long snapshots take to send and to receive. Only the shell's clock is read, never the core's.
/// </summary>
/// <remarks>
/// Messages are one-way grain calls, so a round trip is timed only from an empty append sent when nothing else to that
/// peer is in flight: the peer's next answer is then the answer to it. A probe unanswered for <c>expiry</c> is dropped.
/// </remarks>
internal sealed class ReplicaTraffic(RaftMetrics metrics, TimeProvider time, string group, TimeSpan expiry)
{
    private readonly Dictionary<string, PeerState> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Peer, long Index), long> _snapshotsSending = [];
    private (long Index, long Started)? _snapshotReceiving;

    /// <summary>A message this replica sends; <paramref name="peerLabel"/> names the peer in the metrics (its node).</summary>
    public void Sent(RaftMessage m, string peerLabel)
    {
        if (m.Type == MessageType.AppendEntries)
        {
            var peer = Peer(m.To, peerLabel);
            var now = time.GetTimestamp();
            if (peer.ProbeSentAt != 0 && time.GetElapsedTime(peer.ProbeSentAt, now) > expiry) (peer.ProbeSentAt, peer.InFlight) = (0, 0);
            if (peer.InFlight == 0 && peer.ProbeSentAt == 0 && m.Entries.Count == 0) peer.ProbeSentAt = now;
            peer.InFlight++;
        }
        else if (m.Type == MessageType.InstallSnapshot && m.Offset == 0)
        {
            _snapshotsSending.TryAdd((m.To, m.Index), time.GetTimestamp());
        }
    }

    /// <summary>A message this replica received from a peer.</summary>
    public void Received(MessageType type, string from, long index, long offset, bool done)
    {
        switch (type)
        {
            case MessageType.AppendEntriesResponse when _peers.TryGetValue(from, out var peer):
                if (peer.InFlight > 0) peer.InFlight--;
                if (peer.ProbeSentAt != 0)
                {
                    metrics.PeerRoundTrip.Record(time.GetElapsedTime(peer.ProbeSentAt).TotalMilliseconds, new KeyValuePair<string, object?>("peer", peer.Label));
                    peer.ProbeSentAt = 0;
                }
                break;
            case MessageType.InstallSnapshotResponse when done && _snapshotsSending.Remove((from, index), out var started):
                metrics.SnapshotsSent.Add(1, new KeyValuePair<string, object?>("group", group));
                metrics.SnapshotSendDuration.Record(time.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("group", group));
                break;
            case MessageType.InstallSnapshot when offset == 0 && _snapshotReceiving?.Index != index:
                _snapshotReceiving = (index, time.GetTimestamp());
                break;
        }
    }

    /// <summary>A snapshot from the leader is durable here and installed.</summary>
    public void SnapshotInstalled(long index)
    {
        if (_snapshotReceiving is not { } receiving || receiving.Index != index) return;
        _snapshotReceiving = null;
        metrics.SnapshotsReceived.Add(1, new KeyValuePair<string, object?>("group", group));
        metrics.SnapshotReceiveDuration.Record(time.GetElapsedTime(receiving.Started).TotalMilliseconds, new KeyValuePair<string, object?>("group", group));
    }

    /// <summary>Leadership changed hands: what this replica had in flight as leader is no one's to time any more.</summary>
    public void LeadershipChanged()
    {
        _peers.Clear();
        _snapshotsSending.Clear();
    }

    private PeerState Peer(string replica, string label)
    {
        if (!_peers.TryGetValue(replica, out var peer)) _peers[replica] = peer = new PeerState(label);
        return peer;
    }

    private sealed class PeerState(string label)
    {
        public string Label => label;
        public long ProbeSentAt { get; set; }
        public int InFlight { get; set; }
    }
}
