namespace FocusLab.Cli.Conventions;

/// <summary>
/// Where commands write, and the file-system checks made before the long work starts: every command
/// writes under <c>runs/&lt;command&gt;-&lt;name&gt;/</c> by default (the folder <c>focuslab report</c>
/// reads), and an output folder that is a file, cannot be created or cannot be written is refused
/// up front instead of after minutes of computing.
/// </summary>
internal static class OutputFolder
{
    /// <summary>The default output root of every command.</summary>
    public const string Root = "runs";

    /// <summary><c>runs/&lt;command&gt;-&lt;name&gt;</c>, the default output folder of a command.</summary>
    public static string Default(string command, string name) => Path.Combine(Root, $"{command}-{name}");

    /// <summary>
    /// Creates <paramref name="dir"/> if needed and proves it writable by creating and deleting a
    /// probe file; throws <see cref="ArgumentException"/> naming the folder, the reason and the fix.
    /// </summary>
    public static string Prepare(string dir, string option = "--out")
    {
        if (File.Exists(dir))
            throw new ArgumentException($"{option} {dir} is an existing file, not a folder; pass a folder path (it is created when missing).");
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"{option} {dir} cannot be created ({Reason(e)}); choose a folder you can write to.");
        }
        string probe = Path.Combine(dir, $".focuslab-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"{option} {dir} cannot be written ({Reason(e)}); choose another folder, or fix its permissions or free space.");
        }
        return dir;
    }

    /// <summary>Writes <c>command.txt</c>: the command line that produced the folder, which <c>focuslab report</c> shows.</summary>
    public static void RecordCommand(string dir) =>
        FocusLab.Lab.Reports.AtomicFile.WriteText(Path.Combine(dir, "command.txt"), CommandLine() + "\n");

    /// <summary>This process's command line as a user would type it ("focuslab phase --preset paper …"), arguments shell-quoted.</summary>
    public static string CommandLine() =>
        "focuslab " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Interrupt.ShellQuote));

    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        _ when e.HResult == 28 || e.Message.Contains("space", StringComparison.OrdinalIgnoreCase) => "no space left on the device",
        _ => e.Message.ReplaceLineEndings(" "),
    };
}
