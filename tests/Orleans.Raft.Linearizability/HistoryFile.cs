using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Raft.Linearizability;

/// <summary>
/// A history on disk, one JSON object a line: <c>{"register":{...}}</c> for an operation of the key-value workload,
/// <c>{"append":{...}}</c> for one of the list-append workload. Enums are written by name; nulls are left out.
/// </summary>
public static class HistoryFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(string path, IEnumerable<HistoryOp> register, IEnumerable<AppendOp> append)
    {
        using var writer = new StreamWriter(path);
        foreach (var op in register) writer.WriteLine(JsonSerializer.Serialize(new Line { Register = op }, Json));
        foreach (var op in append) writer.WriteLine(JsonSerializer.Serialize(new Line { Append = op }, Json));
    }

    /// <summary>Reads a file <see cref="Write"/> wrote; a line it cannot read is an error that names the line.</summary>
    public static (List<HistoryOp> Register, List<AppendOp> Append) Read(string path)
    {
        var register = new List<HistoryOp>();
        var append = new List<AppendOp>();
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text, Json);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{path}:{number}: not a history line: {ex.Message}", ex);
            }
            if (line?.Register is { } r) register.Add(r);
            else if (line?.Append is { } a) append.Add(a);
            else throw new FormatException($"{path}:{number}: neither \"register\" nor \"append\"");
        }
        return (register, append);
    }

    private sealed record Line
    {
        public HistoryOp? Register { get; init; }
        public AppendOp? Append { get; init; }
    }
}
