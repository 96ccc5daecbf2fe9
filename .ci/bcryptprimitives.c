/* A stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks: the Go
 * runtime (1.22 and newer) loads ProcessPrng from it at start-up, so no Go
 * program starts under Wine 8 without it. ProcessPrng fills a buffer with
 * random bytes; RtlGenRandom (SystemFunction036 in advapi32) does the same
 * for at most a ULONG of bytes at a time. Used only to run the tests'
 * Windows build under Wine in CI (.ci/run). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
