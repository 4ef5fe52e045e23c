using System.Buffers.Binary;
using System.Text;

namespace Orleans.Raft.Consensus;

/// <summary>
/// A group's membership: the voters, whose majority decides commits and elections, and the learners, which only
/// receive the log. It lives in the log as a <see cref="LogEntryType.ConfigChange"/> entry carrying the whole new
/// configuration, and in snapshots (etcd's ConfState).
/// </summary>
/// <remarks>
/// Changes are single-server (Raft thesis §4.1; etcd's raft before joint consensus): one voter added or removed, or
/// one learner added, promoted or removed, at a time. Any two consecutive configurations then differ by one voter, so
/// their majorities overlap and no two leaders can be elected in one term, without joint consensus's two-phase entries.
/// A change takes effect when its entry commits; the leader proposes at most one uncommitted change at a time (etcd's
/// pendingConfIndex), and only once it has committed an entry of its own term, so a change left uncommitted by an
/// earlier leader is settled before the next (the thesis's fix for the single-server bug). Committed changes come
/// with a commit index that covers the previous change, so a replica's configuration is at most one step behind
/// its log.
/// </remarks>
public sealed class GroupConfiguration : IEquatable<GroupConfiguration>
{
    private const byte FormatVersion = 1;

    public GroupConfiguration(IEnumerable<GroupMember> voters, IEnumerable<GroupMember>? learners = null)
    {
        Voters = [.. voters];
        Learners = [.. learners ?? []];
        var ids = Voters.Concat(Learners).Select(m => m.Id).ToList();
        if (ids.Any(string.IsNullOrEmpty)) throw new ArgumentException("a member id must not be empty");
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count) throw new ArgumentException("member ids must be distinct");
    }

    public static GroupConfiguration Empty { get; } = new([]);

    public IReadOnlyList<GroupMember> Voters { get; }

    public IReadOnlyList<GroupMember> Learners { get; }

    public IReadOnlyList<string> VoterIds => [.. Voters.Select(m => m.Id)];

    public IReadOnlyList<string> LearnerIds => [.. Learners.Select(m => m.Id)];

    /// <summary>Voters and learners.</summary>
    public IEnumerable<GroupMember> All => Voters.Concat(Learners);

    /// <summary>A majority of the voters.</summary>
    public int Quorum => Voters.Count / 2 + 1;

    public bool IsVoter(string id) => Voters.Any(m => m.Id == id);

    public bool IsLearner(string id) => Learners.Any(m => m.Id == id);

    public bool Contains(string id) => IsVoter(id) || IsLearner(id);

    public GroupMember? Find(string id) => All.FirstOrDefault(m => m.Id == id);

    /// <summary>The configuration after one change, or null with why it is invalid here.</summary>
    public GroupConfiguration? TryApply(ConfigChange change, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(change.Id))
        {
            error = "the member id is empty";
            return null;
        }
        switch (change.Type)
        {
            case ConfigChangeType.AddLearner or ConfigChangeType.AddVoter when Contains(change.Id):
                error = $"{change.Id} is already a {(IsVoter(change.Id) ? "voter" : "learner")}";
                return null;
            case ConfigChangeType.AddLearner:
                return new(Voters, [.. Learners, new GroupMember(change.Id, change.Node)]);
            case ConfigChangeType.AddVoter:
                return new([.. Voters, new GroupMember(change.Id, change.Node)], Learners);
            case ConfigChangeType.PromoteLearner when !IsLearner(change.Id):
                error = IsVoter(change.Id) ? $"{change.Id} is already a voter" : $"{change.Id} is not a learner of the group";
                return null;
            case ConfigChangeType.PromoteLearner:
                return new([.. Voters, Find(change.Id)!], Learners.Where(m => m.Id != change.Id));
            case ConfigChangeType.Remove when !Contains(change.Id):
                error = $"{change.Id} is not a member of the group";
                return null;
            case ConfigChangeType.Remove when IsVoter(change.Id) && Voters.Count == 1:
                error = $"removing {change.Id} would leave no voter";
                return null;
            case ConfigChangeType.Remove:
                return new(Voters.Where(m => m.Id != change.Id), Learners.Where(m => m.Id != change.Id));
            default:
                error = $"unknown change {change.Type}";
                return null;
        }
    }

    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        stream.WriteByte(FormatVersion);
        WriteList(stream, Voters);
        WriteList(stream, Learners);
        return stream.ToArray();
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when data is not an encoded configuration.</summary>
    public static GroupConfiguration Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            if (data.Length == 0 || data[0] != FormatVersion) throw new InvalidDataException("unknown configuration format");
            var at = 1;
            var voters = ReadList(data, ref at);
            var learners = ReadList(data, ref at);
            if (at != data.Length) throw new InvalidDataException("trailing bytes after a configuration");
            return new GroupConfiguration(voters, learners);
        }
        catch (Exception e) when (e is ArgumentException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"corrupt configuration: {e.Message}", e);
        }
    }

    private static void WriteList(MemoryStream stream, IReadOnlyList<GroupMember> members)
    {
        WriteInt(stream, members.Count);
        foreach (var m in members)
        {
            WriteString(stream, m.Id);
            WriteString(stream, m.Node);
        }
    }

    private static void WriteString(MemoryStream stream, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        WriteInt(stream, bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteInt(MemoryStream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static List<GroupMember> ReadList(ReadOnlySpan<byte> data, ref int at)
    {
        var count = ReadInt(data, ref at);
        if (count < 0 || count > data.Length) throw new InvalidDataException("corrupt configuration: bad member count");
        var list = new List<GroupMember>(count);
        for (var i = 0; i < count; i++)
        {
            var id = ReadString(data, ref at);
            list.Add(new GroupMember(id, ReadString(data, ref at)));
        }
        return list;
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int at)
    {
        var length = ReadInt(data, ref at);
        if (length < 0 || at + length > data.Length) throw new InvalidDataException("corrupt configuration: bad string length");
        var s = Encoding.UTF8.GetString(data.Slice(at, length));
        at += length;
        return s;
    }

    private static int ReadInt(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 4 > data.Length) throw new InvalidDataException("corrupt configuration: truncated");
        var value = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(at, 4));
        at += 4;
        return value;
    }

    public bool Equals(GroupConfiguration? other) =>
        other is not null && Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners);

    public override bool Equals(object? obj) => Equals(obj as GroupConfiguration);

    public override int GetHashCode() => HashCode.Combine(Voters.Count, Learners.Count, Voters.FirstOrDefault());

    public override string ToString() =>
        $"voters=[{string.Join(",", Voters.Select(m => m.Id))}] learners=[{string.Join(",", Learners.Select(m => m.Id))}]";
}
