/*
 * custos_dev_config.h: every compile-time size of the device layer, in one
 * place (DESIGN §10). A product copies this file, or defines the macros on
 * the compiler command line before it is included; nothing else in device/
 * holds a number a product would want to change.
 *
 * Must never: depend on the port, the core, or a heap.
 */
#ifndef CUSTOS_DEV_CONFIG_H
#define CUSTOS_DEV_CONFIG_H

/* Subject slots (household members, guest profiles). A slot is a small
 * integer the app and device agree on; the report carries every slot, and
 * sync.options caps ConsentStateReport.states at 8. */
#ifndef CUSTOS_DEV_MAX_SUBJECTS
#define CUSTOS_DEV_MAX_SUBJECTS 4
#endif

/* Purpose ids 0 .. CUSTOS_DEV_MAX_PURPOSES-1 (manifest purpose ids). The
 * consent of one subject is one 64-bit bitset, so at most 64. Which of these
 * ids the product declares is given at run time to custos_dev_open(). */
#ifndef CUSTOS_DEV_MAX_PURPOSES
#define CUSTOS_DEV_MAX_PURPOSES 64
#endif

/* Consents with an expiry (valid_until) held at once, over all subjects.
 * An update that would need more is rejected with CUSTOS_DEV_ENOSPACE. */
#ifndef CUSTOS_DEV_MAX_TIMED
#define CUSTOS_DEV_MAX_TIMED 16
#endif

/* Flash: the port gives the layer a region of two slots; each slot is
 * CUSTOS_DEV_SLOT_SIZE bytes, a whole number of the port's erase pages. */
#ifndef CUSTOS_DEV_SLOT_SIZE
#define CUSTOS_DEV_SLOT_SIZE 512
#endif

/* Largest message the layer reads or writes: a SignedMessage whose body is
 * at most 400 bytes (sync.options) plus its 32-byte signer, 64-byte
 * signature and tags. Callers size their receive and output buffers with it
 * (or with custos_dev_message_max()). */
#define CUSTOS_DEV_MESSAGE_MAX 512
#define CUSTOS_DEV_BODY_MAX 400

/* nanopb switches. Every translation unit that includes pb.h (nanopb's own
 * .c files, the generated descriptors, the layer) must see the same set, or
 * struct layouts differ; the build defines them for all of them, and this
 * check catches a file compiled without them.
 *
 * PB_ENCODE_ARRAYS_UNPACKED: the schemas are proto2 without [packed=true],
 * so protobuf-c writes repeated scalars (DeletionReceipt.storage) unpacked;
 * nanopb would pack them. With it the device's bytes are the core's bytes.
 *
 * PB_WITHOUT_64BIT is NOT used: the wire contract (schemas/custos/v1) keeps
 * the consent bitsets as fixed64 (CompactConsentState.given/decided) and
 * times as uint64, and nanopb built without 64-bit support rejects those
 * fields at run time. The cost is measured in device/FOOTPRINT.md. */
#if !defined(PB_NO_ERRMSG) || !defined(PB_BUFFER_ONLY) || !defined(PB_ENCODE_ARRAYS_UNPACKED)
#error "build the device layer with -DPB_NO_ERRMSG -DPB_BUFFER_ONLY -DPB_ENCODE_ARRAYS_UNPACKED (device/CMakeLists.txt)"
#endif
#if defined(PB_WITHOUT_64BIT) || defined(PB_ENABLE_MALLOC)
#error "the device layer needs 64-bit fields and forbids PB_ENABLE_MALLOC"
#endif

#if CUSTOS_DEV_MAX_SUBJECTS < 1 || CUSTOS_DEV_MAX_SUBJECTS > 8
#error "CUSTOS_DEV_MAX_SUBJECTS must be 1..8 (ConsentStateReport.states max_count)"
#endif
#if CUSTOS_DEV_MAX_PURPOSES < 1 || CUSTOS_DEV_MAX_PURPOSES > 64
#error "CUSTOS_DEV_MAX_PURPOSES must be 1..64 (one 64-bit bitset per subject)"
#endif
#if CUSTOS_DEV_MAX_TIMED < 0 || CUSTOS_DEV_MAX_TIMED > 255
#error "CUSTOS_DEV_MAX_TIMED must be 0..255"
#endif

#endif
