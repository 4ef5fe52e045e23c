namespace Orleans.Raft.Core.Tests.Interaction;

public sealed partial class InteractionEnv
{
    /// <summary>quiesce ID: the leader ID quiesces if it can, telling its followers; prints whether it did.</summary>
    private void Quiesce(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var quiesced = false;
        Observe(n, r => quiesced = r.Quiesce());
        if (!quiesced) Print("cannot quiesce");
    }

    /// <summary>wake ID...: the shell wakes the nodes (a member's node died, a fault, a client request).</summary>
    private void Wake(TranscriptCommand c)
    {
        foreach (var n in Named(c).Where(n => n.IsUp)) Observe(n, r => r.Wake());
    }
}
