/*
 * An example Portcullis policy in C, against the native ABI v1
 * (policies/ABI.md): fail when a package named in the `deny` setting is in
 * the image; pass otherwise. A real policy would use a JSON library; this one
 * only looks for `"name":"<denied>"` in the input, which is enough to show the ABI.
 *
 * Build (Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32):
 *   clang --target=wasm32-wasi -O2 -o deny-packages.wasm deny-packages.c
 * then append metadata.json as the `portcullis.policy.metadata` custom
 * section (C has no way to emit a custom section itself): `bash build.sh`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64 * 1024 * 1024)

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "evaluate") != 0) {
        fprintf(stderr, "usage: policy.wasm evaluate < input.json\n");
        return 2;
    }
    size_t size = 0, capacity = 1 << 16;
    char *input = malloc(capacity + 1);
    if (!input) return 2;
    size_t got;
    while ((got = fread(input + size, 1, capacity - size, stdin)) > 0) {
        size += got;
        if (size == capacity) {
            if (capacity >= MAX_INPUT) return 2;
            capacity *= 2;
            char *bigger = realloc(input, capacity + 1);
            if (!bigger) return 2;
            input = bigger;
        }
    }
    input[size] = '\0';

    /* The `deny` setting: "settings":{..."deny":"<name>"...} */
    const char *setting = strstr(input, "\"deny\":\"");
    if (!setting) {
        fputs("{\"decision\":\"pass\",\"violations\":[]}", stdout);
        return 0;
    }
    setting += strlen("\"deny\":\"");
    const char *end = strchr(setting, '"');
    if (!end || end - setting > 200) return 2;
    char needle[256];
    snprintf(needle, sizeof needle, "\"name\":\"%.*s\"", (int)(end - setting), setting);
    if (strstr(input, needle)) {
        printf("{\"decision\":\"fail\",\"violations\":[{\"rule\":\"deny\",\"severity\":\"high\","
               "\"message\":\"package %.*s is denied\",\"findings\":[]}]}",
               (int)(end - setting), setting);
    } else {
        fputs("{\"decision\":\"pass\",\"violations\":[]}", stdout);
    }
    return 0;
}
