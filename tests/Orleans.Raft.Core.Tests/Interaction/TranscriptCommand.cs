namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>One command of a transcript: a name, positional arguments and key=value options.</summary>
public sealed record TranscriptCommand(string Name, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Options, int Line)
{
    public static TranscriptCommand Parse(string text, int line)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = new List<string>();
        var options = new Dictionary<string, string>();
        foreach (var word in words.Skip(1))
        {
            var eq = word.IndexOf('=');
            // A value of a proposal is itself key=value, so only a bare word before '=' names an option.
            if (eq > 0 && words[0] != "propose") options[word[..eq]] = word[(eq + 1)..];
            else args.Add(word);
        }
        return new TranscriptCommand(words[0], args, options, line);
    }

    public string Option(string key, string fallback) => Options.TryGetValue(key, out var v) ? v : fallback;

    public int IntOption(string key, int fallback) => Options.TryGetValue(key, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool BoolOption(string key, bool fallback) => Options.TryGetValue(key, out var v) ? bool.Parse(v) : fallback;
}
