using System.Diagnostics;

namespace InteractionLedger.LocalPostgres;

/// <summary>Finds the machine's PostgreSQL server binaries (initdb, pg_ctl).</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "No PostgreSQL server binaries (initdb, pg_ctl) were found. Install them, e.g. on Debian/Ubuntu: " +
        "'sudo apt-get update && sudo apt-get install -y postgresql', or set LEDGER_PG_BIN to the folder that holds initdb and pg_ctl, " +
        "or point the service at an existing server with ConnectionStrings__Ledger.";

    /// <summary>
    /// LEDGER_PG_BIN alone when it is set (an explicit choice that is wrong must fail, not fall back), else the newest /usr/lib/postgresql/N/bin (Debian's layout: pg_config --bindir
    /// often names the client-only folder there), then pg_config, then PATH.
    /// </summary>
    public static string? Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("LEDGER_PG_BIN") is { Length: > 0 } explicitBin)
            return HasServerBinaries(explicitBin) ? explicitBin : null;

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin")));
        }

        if (TryRun("pg_config", "--bindir") is { } bindir) candidates.Add(bindir);
        candidates.Add("/usr/local/pgsql/bin");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));

        return candidates.FirstOrDefault(HasServerBinaries);
    }

    private static bool HasServerBinaries(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    private static string? TryRun(string file, string args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
