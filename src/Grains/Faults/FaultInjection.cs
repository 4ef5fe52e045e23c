namespace Orleans.Raft.Faults;

/// <summary>Registered by <c>AddRaftFaultInjection</c>: its presence is what switches fault injection on.</summary>
public sealed class FaultInjection
{
    public const string DisabledMessage = "fault injection is off on this cluster (the silo host does not call AddRaftFaultInjection)";
}
