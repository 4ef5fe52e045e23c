namespace Orleans.Raft.StateMachine;

/// <summary>How a compare relates the key's target to the given operand.</summary>
public enum CompareOperator : byte
{
    Equal = 0,
    NotEqual = 1,
    Less = 2,
    Greater = 3,
}
