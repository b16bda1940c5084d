using System.Runtime.InteropServices;

namespace InteractionLedger.LocalPostgres;

/// <summary>
/// An advisory lock on a file of the cluster's folder (flock(2)). The kernel releases it when its process ends, however
/// it ends: a lock file can never be left "held" by a process that died. Opened close-on-exec, so the PostgreSQL server
/// a process starts does not inherit it and outlive its owner holding it.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private const int OpenReadWrite = 0x2, OpenCreate = 0x40, OpenCloseOnExec = 0x80000;
    private const int Shared = 1, Exclusive = 2, NonBlocking = 4;
    private const int WouldBlock = 11;

    private int _descriptor;

    private FolderLock(int descriptor) => _descriptor = descriptor;

    /// <summary>Takes the lock exclusively, waiting up to <paramref name="patience"/> for its holder to let go.</summary>
    public static async Task<FolderLock> ExclusiveAsync(string path, TimeSpan patience, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (TryTake(path, Exclusive) is { } taken) return taken;
            if (DateTime.UtcNow > deadline)
                throw new ClusterInUseException($"Another process has been starting or stopping the PostgreSQL of {Path.GetDirectoryName(path)} " +
                                                $"for over {patience.TotalSeconds:F0} s; try again once it is done.");
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>Null when another process holds the lock in a conflicting mode.</summary>
    public static FolderLock? TryExclusive(string path) => TryTake(path, Exclusive);

    /// <summary>Null when another process holds the lock exclusively.</summary>
    public static FolderLock? TryShared(string path) => TryTake(path, Shared);

    private static FolderLock? TryTake(string path, int mode)
    {
        var descriptor = open(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, Convert.ToInt32("600", 8));
        if (descriptor < 0) throw new IOException($"Cannot open {path} (errno {Marshal.GetLastPInvokeError()}).");
        if (flock(descriptor, mode | NonBlocking) == 0) return new FolderLock(descriptor);
        var error = Marshal.GetLastPInvokeError();
        close(descriptor);
        return error == WouldBlock ? null : throw new IOException($"Cannot lock {path} (errno {error}).");
    }

    public void Dispose()
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0) close(descriptor);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int descriptor, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int descriptor);
}

/// <summary>The cluster's folder is in a state this process must not touch; the message says why and what to do.</summary>
public sealed class ClusterInUseException(string message) : Exception(message);
