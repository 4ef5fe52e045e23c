namespace Orleans.Raft;

/// <summary>Each silo's fault agent: told of every change before the control grain's call returns.</summary>
public interface IFaultObserver : IGrainObserver
{
    Task OnFaultsChanged(FaultSnapshot snapshot);
}
