using System.Text;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>
/// A transcript: commands, each followed by a "----" line and its expected output, ended by a blank line. Lines
/// starting with '#' and blank lines between commands are comments, kept as they are when the file is rewritten.
/// </summary>
public sealed class TranscriptFile
{
    private readonly List<Block> _blocks = [];

    private TranscriptFile()
    {
    }

    public IEnumerable<(TranscriptCommand Command, string Expected)> Commands =>
        _blocks.Where(b => b.Command is not null).Select(b => (b.Command!, b.Expected));

    public static TranscriptFile Parse(string text)
    {
        var file = new TranscriptFile();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                file._blocks.Add(new Block(line, null, ""));
                i++;
                continue;
            }
            var command = TranscriptCommand.Parse(line, i + 1);
            i++;
            if (i >= lines.Length || lines[i] != "----") throw new FormatException($"line {i}: a command must be followed by '----'");
            i++;
            var expected = new List<string>();
            while (i < lines.Length && lines[i].Length > 0) expected.Add(lines[i++]);
            i++; // the blank line that ends the block
            file._blocks.Add(new Block(line, command, string.Join('\n', expected)));
        }
        // Split leaves an empty tail after the final newline; it is not a comment.
        while (file._blocks.Count > 0 && file._blocks[^1] is { Command: null, Text.Length: 0 }) file._blocks.RemoveAt(file._blocks.Count - 1);
        return file;
    }

    /// <summary>The file with each command's expected output replaced by the actual one.</summary>
    public string Render(IReadOnlyDictionary<TranscriptCommand, string> actual)
    {
        var sb = new StringBuilder();
        foreach (var b in _blocks)
        {
            sb.Append(b.Text).Append('\n');
            if (b.Command is null) continue;
            sb.Append("----\n");
            var output = actual.TryGetValue(b.Command, out var a) ? a : b.Expected;
            if (output.Length > 0) sb.Append(output).Append('\n');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private sealed record Block(string Text, TranscriptCommand? Command, string Expected);
}
