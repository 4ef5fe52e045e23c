namespace Orleans.Raft.Linearizability;

/// <summary>
/// One key as etcd keeps it: its value (null: absent), version (writes since it was created), and create and mod
/// revisions. A revision is -1 when the write that set it did not report one (its outcome is unknown).
/// </summary>
public readonly record struct KeyState(string? Value, long Version, long CreateRevision, long ModRevision)
{
    public static readonly KeyState Absent = new(null, 0, 0, 0);

    public bool Exists => Value is not null;

    public KeyState Put(string value, long revision)
    {
        var rev = revision > 0 ? revision : -1;
        return Exists ? new KeyState(value, Version + 1, CreateRevision, rev) : new KeyState(value, 1, rev, rev);
    }

    public override string ToString() => Exists ? $"{HistoryOp.Show(Value)} (version {Version}, mod {Show(ModRevision)})" : "(absent)";

    private static string Show(long revision) => revision < 0 ? "?" : revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
