/*
 * banned.h: functions that make buffer overflows and silent misparses easy.
 * Included last by every translation unit (through common.h). Use the
 * bounded replacements: snprintf / buf_printf, memcpy with a checked length,
 * strtol with end-pointer checks (see parse_int in parse.h).
 */
#ifndef CIVITAS_BANNED_H
#define CIVITAS_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)

#endif
