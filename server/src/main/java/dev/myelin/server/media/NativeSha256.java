package dev.myelin.server.media;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * SHA-256 computed by the system's OpenSSL (libcrypto 3, {@code EVP_Digest*}) through the FFM API. On a CPU without
 * SHA extensions OpenSSL's hand-written AVX2 code hashes about 1.5 times as fast as the JDK's, and uploads are bound
 * by this hash (it names the stored file). The bytes are passed straight from the Java array (a critical downcall,
 * no copy). {@link #create} gives nothing when libcrypto is not there, and the caller uses the JDK's.
 */
final class NativeSha256 extends MessageDigest {
    private static final int DIGEST_LENGTH = 32;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Functions FUNCTIONS = Functions.load();

    private record Functions(MethodHandle newContext, MethodHandle freeContext, MemorySegment sha256,
                             MethodHandle init, MethodHandle update, MethodHandle finish) {
        static Functions load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup crypto = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                MethodHandle sha256 = linker.downcallHandle(crypto.findOrThrow("EVP_sha256"),
                        FunctionDescriptor.of(ValueLayout.ADDRESS));
                return new Functions(
                        linker.downcallHandle(crypto.findOrThrow("EVP_MD_CTX_new"),
                                FunctionDescriptor.of(ValueLayout.ADDRESS)),
                        linker.downcallHandle(crypto.findOrThrow("EVP_MD_CTX_free"),
                                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)),
                        (MemorySegment) sha256.invokeExact(),
                        linker.downcallHandle(crypto.findOrThrow("EVP_DigestInit_ex"),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                        ValueLayout.ADDRESS)),
                        linker.downcallHandle(crypto.findOrThrow("EVP_DigestUpdate"),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                        ValueLayout.JAVA_LONG), Linker.Option.critical(true)),
                        linker.downcallHandle(crypto.findOrThrow("EVP_DigestFinal_ex"),
                                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                        ValueLayout.ADDRESS), Linker.Option.critical(true)));
            } catch (Throwable e) {
                return null; // no libcrypto 3, or native access denied
            }
        }
    }

    private final MemorySegment context;
    private final byte[] single = new byte[1];

    private NativeSha256(MemorySegment context) {
        super("SHA-256");
        this.context = context;
        MethodHandle free = FUNCTIONS.freeContext();
        CLEANER.register(this, () -> {
            try {
                free.invokeExact(context);
            } catch (Throwable ignored) {
                // nothing to do: the process is the only owner
            }
        });
        engineReset();
    }

    /** An OpenSSL SHA-256, when libcrypto 3 can be loaded. */
    static Optional<MessageDigest> create() {
        if (FUNCTIONS == null) {
            return Optional.empty();
        }
        try {
            MemorySegment context = (MemorySegment) FUNCTIONS.newContext().invokeExact();
            return context.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(new NativeSha256(context));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    private static void check(int result) {
        if (result != 1) {
            throw new IllegalStateException("OpenSSL SHA-256 failed");
        }
    }

    @Override
    protected void engineUpdate(byte input) {
        single[0] = input;
        engineUpdate(single, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
        try {
            check((int) FUNCTIONS.update().invokeExact(context,
                    MemorySegment.ofArray(input).asSlice(offset, length), (long) length));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected byte[] engineDigest() {
        byte[] digest = new byte[DIGEST_LENGTH];
        try {
            check((int) FUNCTIONS.finish().invokeExact(context, MemorySegment.ofArray(digest), MemorySegment.NULL));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        engineReset();
        return digest;
    }

    @Override
    protected void engineReset() {
        try {
            check((int) FUNCTIONS.init().invokeExact(context, FUNCTIONS.sha256(), MemorySegment.NULL));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return DIGEST_LENGTH;
    }
}
