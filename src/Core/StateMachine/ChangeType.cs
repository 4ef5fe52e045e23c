namespace Orleans.Raft.StateMachine;

public enum ChangeType : byte
{
    Put = 0,
    Delete = 1,
}
