using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Orleans.Raft.Bench;

/// <summary>
/// The bodies of etcd 3.4's JSON gRPC gateway (POST /v3/kv/put, /v3/kv/range, /v3/kv/txn, /v3/maintenance/status), and
/// the fields the benchmark reads from its answers. Keys and values are bytes, base64 in JSON; 64-bit integers are
/// JSON strings; fields at their default (false, 0, empty) are left out of answers.
/// </summary>
internal static class EtcdJson
{
    public static byte[] Put(string key, string value) => Write(w =>
    {
        w.WriteBase64String("key", Encoding.UTF8.GetBytes(key));
        w.WriteBase64String("value", Encoding.UTF8.GetBytes(value));
    });

    /// <summary>A range of one key; serializable lets the member answer from its own state, without asking the leader.</summary>
    public static byte[] Range(string key, bool serializable) => Write(w =>
    {
        w.WriteBase64String("key", Encoding.UTF8.GetBytes(key));
        if (serializable) w.WriteBoolean("serializable", true);
    });

    /// <summary>
    /// A transaction: if the key's value is expected (or, for null, the key has never been created: create_revision 0),
    /// put the value; else read the key, so a failed compare tells what it found.
    /// </summary>
    public static byte[] CompareAndSet(string key, string? expected, string value)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        return Write(w =>
        {
            w.WriteStartArray("compare");
            w.WriteStartObject();
            w.WriteBase64String("key", keyBytes);
            if (expected is null)
            {
                w.WriteString("target", "CREATE");
                w.WriteString("result", "EQUAL");
                w.WriteString("create_revision", "0");
            }
            else
            {
                w.WriteString("target", "VALUE");
                w.WriteString("result", "EQUAL");
                w.WriteBase64String("value", Encoding.UTF8.GetBytes(expected));
            }
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("success");
            w.WriteStartObject();
            w.WriteStartObject("request_put");
            w.WriteBase64String("key", keyBytes);
            w.WriteBase64String("value", Encoding.UTF8.GetBytes(value));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("failure");
            w.WriteStartObject();
            w.WriteStartObject("request_range");
            w.WriteBase64String("key", keyBytes);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
    }

    /// <summary>The value of the range's first key, or null when it found none.</summary>
    public static string? ReadRange(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return FirstValue(document.RootElement);
    }

    /// <summary>Whether the transaction's compare held; when it did not, the value its failure branch read (null: no such key).</summary>
    public static (bool Succeeded, string? Current) ReadTxn(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("succeeded", out var succeeded) && succeeded.GetBoolean()) return (true, null);
        if (root.TryGetProperty("responses", out var responses))
        {
            foreach (var response in responses.EnumerateArray())
            {
                if (response.TryGetProperty("response_range", out var range)) return (false, FirstValue(range));
            }
        }
        return (false, null);
    }

    /// <summary>
    /// header.member_id and header.raft_term: the member that answered, and its term when it did. A write answered in
    /// a later term than a dead leader's was committed by its successor; the member id alone does not tell that, since
    /// a follower answers the writes it forwarded.
    /// </summary>
    public static (string? MemberId, long RaftTerm) ReadHeader(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        return (MemberId(root), root.TryGetProperty("header", out var header) ? Long(header, "raft_term") : 0);
    }

    public static EtcdStatus ReadStatus(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        var leader = Text(root, "leader");
        return new EtcdStatus(MemberId(root) ?? throw new JsonException("a status without header.member_id"),
            leader is null or "0" ? null : leader, Long(root, "raftTerm"), Long(root, "raftIndex"), Long(root, "raftAppliedIndex"));
    }

    /// <summary>What an error answer (HTTP 4xx or 5xx: {"error": ..., "code": ...}) says, or its text when it is not that.</summary>
    public static string ReadError(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object && Text(document.RootElement, "error") is { } error) return error;
        }
        catch (JsonException)
        {
            // Not JSON: the text itself says it.
        }
        var text = Encoding.UTF8.GetString(json).Trim();
        return text.Length > 200 ? text[..200] : text;
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? FirstValue(JsonElement range)
    {
        if (!range.TryGetProperty("kvs", out var kvs) || kvs.GetArrayLength() == 0) return null;
        // An empty value is left out, as any field at its default.
        return kvs[0].TryGetProperty("value", out var value) ? Encoding.UTF8.GetString(value.GetBytesFromBase64()) : "";
    }

    private static string? MemberId(JsonElement root) =>
        root.TryGetProperty("header", out var header) ? Text(header, "member_id") : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    private static long Long(JsonElement element, string name) =>
        Text(element, name) is { } text ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
}
