namespace InteractionLedger.Tests.Support;

/// <summary>The repository the tests were built from, for the files they check as committed (the API document).</summary>
public static class Repository
{
    public static readonly string Root = Find();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "InteractionLedger.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (InteractionLedger.sln) was not found above the test's folder.");
    }
}
