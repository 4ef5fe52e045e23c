using System.Text;

namespace Orleans.Raft.Core.Tests.Interaction;

public sealed partial class InteractionEnv
{
    /// <summary>
    /// read-index ID CONTEXT: the node starts a read with that context; prints the read index at a leader, the leader it
    /// was forwarded to at a follower, or the refusal.
    /// </summary>
    private void ReadIndex(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var result = default(Consensus.ProposeResult);
        Observe(n, r => result = r.ReadIndex(Encoding.UTF8.GetBytes(c.Args[1])));
        if (!result.Accepted) PrintResult(result);
        else if (result.LeaderHint == n.Id) Print($"accepted, read index {result.Index}");
        else Print($"forwarded to {result.LeaderHint}");
    }
}
