namespace Orleans.Raft;

/// <summary>etcd's range conventions: a range is [key, end); end "\0" is every key from key on.</summary>
public static class KeyRange
{
    /// <summary>The end that, with key, means every key from key on.</summary>
    public const string AllFrom = "\0";

    /// <summary>The end of the range of every key that starts with prefix: its last char below the highest, incremented.</summary>
    public static string PrefixEnd(string prefix) => StateMachine.KeyValueStateMachine.PrefixEnd(prefix);
}
