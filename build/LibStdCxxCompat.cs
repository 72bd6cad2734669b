// Makes TorchSharp's native shim load on hosts whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04).
//
// libLibTorchSharp.so asks for GLIBCXX_3.4.32 for exactly one symbol, _ZSt21ios_base_library_initv, which GCC 13's
// <iostream> emits as a link-time marker that no relocation ever calls. Marking that one version requirement weak
// (VER_FLG_WEAK in .gnu.version_r) lets the dynamic loader accept an older libstdc++, and changes nothing else.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (Directory.Build.targets) as a build task, and into
// the test project. It therefore targets netstandard2.0 APIs only.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Trainwright.Build
{
    /// <summary>What <see cref="ElfVersionNeeds.MarkWeak"/> did to a file.</summary>
    public enum WeakenOutcome
    {
        /// <summary>The flag was set; exactly two bytes of the file changed.</summary>
        Patched,
        /// <summary>The requirement was already weak; the file was not written.</summary>
        AlreadyWeak,
        /// <summary>The file is not an ELF shared object we can read; it was not written.</summary>
        NotElf,
        /// <summary>The file has no requirement on that version; it was not written.</summary>
        NoSuchVersionNeed,
    }

    /// <summary>The outcome of one patch attempt, with a sentence that says why.</summary>
    public sealed class WeakenResult
    {
        /// <summary>Creates a result.</summary>
        public WeakenResult(WeakenOutcome outcome, string message) { Outcome = outcome; Message = message; }
        /// <summary>What happened.</summary>
        public WeakenOutcome Outcome { get; }
        /// <summary>A human-readable explanation naming the file.</summary>
        public string Message { get; }
    }

    /// <summary>Reads and edits the version requirements (.gnu.version_r) of an ELF file.</summary>
    public static class ElfVersionNeeds
    {
        /// <summary>The version TorchSharp 0.107's shim requires and older hosts lack.</summary>
        public const string GlibcxxVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>One Vernaux entry: the version name, its flags, and the file offset of its flags field.</summary>
        public sealed class Requirement
        {
            internal Requirement(string library, string version, ushort flags, long flagsOffset)
            { Library = library; Version = version; Flags = flags; FlagsOffset = flagsOffset; }
            /// <summary>The library the version is needed from (e.g. libstdc++.so.6).</summary>
            public string Library { get; }
            /// <summary>The version name (e.g. GLIBCXX_3.4.32).</summary>
            public string Version { get; }
            /// <summary>The vna_flags field.</summary>
            public ushort Flags { get; }
            /// <summary>Where vna_flags lives in the file.</summary>
            public long FlagsOffset { get; }
            /// <summary>True when VER_FLG_WEAK is set.</summary>
            public bool IsWeak { get { return (Flags & VerFlgWeak) != 0; } }
        }

        /// <summary>Lists the version requirements of an ELF file, or returns null with a reason when it is not one we can read.</summary>
        public static List<Requirement>? ReadRequirements(byte[] elf, out string problem)
        {
            problem = "";
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            { problem = "not an ELF file (no \\x7fELF magic)"; return null; }
            bool is64 = elf[4] == 2;
            if (elf[4] != 1 && elf[4] != 2) { problem = "unknown ELF class " + elf[4]; return null; }
            if (elf[5] != 1) { problem = "big-endian ELF files are not supported"; return null; }
            try
            {
                long shoff = is64 ? (long)U64(elf, 0x28) : U32(elf, 0x20);
                int shentsize = U16(elf, is64 ? 0x3A : 0x2E);
                int shnum = U16(elf, is64 ? 0x3C : 0x30);
                if (shoff == 0 || shnum == 0) { problem = "no section headers"; return null; }
                var result = new List<Requirement>();
                for (int i = 0; i < shnum; i++)
                {
                    long sh = shoff + (long)i * shentsize;
                    if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
                    long offset = is64 ? (long)U64(elf, sh + 0x18) : U32(elf, sh + 0x10);
                    uint link = U32(elf, sh + (is64 ? 0x28 : 0x18));
                    long strSh = shoff + (long)link * shentsize;
                    long strOff = is64 ? (long)U64(elf, strSh + 0x18) : U32(elf, strSh + 0x10);
                    long need = offset;
                    while (true)
                    {
                        int count = U16(elf, need + 2);
                        string library = CString(elf, strOff + U32(elf, need + 4));
                        long aux = need + U32(elf, need + 8);
                        for (int j = 0; j < count; j++)
                        {
                            ushort flags = U16(elf, aux + 4);
                            string name = CString(elf, strOff + U32(elf, aux + 8));
                            result.Add(new Requirement(library, name, flags, aux + 4));
                            uint nextAux = U32(elf, aux + 12);
                            if (nextAux == 0) break;
                            aux += nextAux;
                        }
                        uint next = U32(elf, need + 12);
                        if (next == 0) break;
                        need += next;
                    }
                }
                return result;
            }
            catch (IndexOutOfRangeException)
            {
                problem = "truncated or corrupt ELF headers";
                return null;
            }
        }

        /// <summary>Sets VER_FLG_WEAK on every requirement of <paramref name="version"/> in the file; idempotent.</summary>
        public static WeakenResult MarkWeak(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            string problem;
            var requirements = ReadRequirements(bytes, out problem);
            if (requirements == null)
                return new WeakenResult(WeakenOutcome.NotElf, path + ": left untouched: " + problem + ".");
            var matching = requirements.FindAll(r => r.Version == version);
            if (matching.Count == 0)
                return new WeakenResult(WeakenOutcome.NoSuchVersionNeed, path + ": left untouched: it does not require " + version + ".");
            var strong = matching.FindAll(r => !r.IsWeak);
            if (strong.Count == 0)
                return new WeakenResult(WeakenOutcome.AlreadyWeak, path + ": " + version + " is already a weak requirement.");
            foreach (var r in strong)
            {
                ushort flags = (ushort)(r.Flags | VerFlgWeak);
                bytes[r.FlagsOffset] = (byte)(flags & 0xff);
                bytes[r.FlagsOffset + 1] = (byte)(flags >> 8);
            }
            // A new file renamed over the old one, never an in-place write: the output copy may be a hard link into the
            // NuGet cache (the build links rather than copies native assets), which must stay untouched; and a crash
            // mid-write leaves the old file whole.
            string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temp, bytes);
                File.Replace(temp, path, null); // a rename: atomic, and it breaks any hard link

            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return new WeakenResult(WeakenOutcome.Patched, path + ": marked " + version + " (from " + strong[0].Library + ") weak.");
        }

        /// <summary>True when a libstdc++ on this host defines <paramref name="version"/>, or when none can be found to ask.</summary>
        public static bool HostLibStdCxxDefines(string version, out string checkedPath)
        {
            checkedPath = "";
            string[] dirs =
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (string dir in dirs)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (!File.Exists(candidate)) continue;
                checkedPath = candidate;
                byte[] needle = Encoding.ASCII.GetBytes("\0" + version + "\0");
                return IndexOf(File.ReadAllBytes(candidate), needle) >= 0;
            }
            return true;
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        private static ushort U16(byte[] b, long o) { return (ushort)(b[o] | (b[o + 1] << 8)); }
        private static uint U32(byte[] b, long o) { return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)); }
        private static ulong U64(byte[] b, long o) { return U32(b, o) | ((ulong)U32(b, o + 4) << 32); }

        private static string CString(byte[] b, long o)
        {
            long end = o;
            while (b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

    /// <summary>MSBuild task: marks GLIBCXX_3.4.32 weak in every libLibTorchSharp.so below a folder, when the host needs it.</summary>
    public sealed class WeakenLibTorchSharpGlibcxx : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output folder to search (build, test or publish output).</summary>
        [Required]
        public string Directory { get; set; } = "";

        /// <summary>Patch even when this host's libstdc++ has the version: the output is meant for other machines (a linux publish, a tool package).</summary>
        public bool Always { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            string host;
            if (!Always && ElfVersionNeeds.HostLibStdCxxDefines(ElfVersionNeeds.GlibcxxVersion, out host))
            {
                Log.LogMessage(MessageImportance.Low, "libstdc++ at '" + host + "' defines " + ElfVersionNeeds.GlibcxxVersion + "; no patch needed.");
                return true;
            }
            foreach (string file in System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                var result = ElfVersionNeeds.MarkWeak(file, ElfVersionNeeds.GlibcxxVersion);
                var importance = result.Outcome == WeakenOutcome.Patched ? MessageImportance.Normal : MessageImportance.Low;
                if (result.Outcome == WeakenOutcome.NotElf) Log.LogWarning(result.Message);
                else Log.LogMessage(importance, result.Message);
            }
            return !Log.HasLoggedErrors;
        }
    }
}
