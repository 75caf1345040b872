// gpualloc holds N GiB of GPU memory for S seconds, so a test can check that
// memory used by another process shows up in Hearth's GPU readings. Built
// with nvcc on the GPU machine: nvcc -o gpualloc tools/gpualloc/gpualloc.cu
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>
#include <unistd.h>

int main(int argc, char **argv) {
  size_t gib = argc > 1 ? strtoul(argv[1], 0, 10) : 10;
  int secs = argc > 2 ? atoi(argv[2]) : 60;
  void *p;
  cudaError_t err = cudaMalloc(&p, gib << 30);
  if (err != cudaSuccess) {
    fprintf(stderr, "cudaMalloc %zu GiB: %s\n", gib, cudaGetErrorString(err));
    return 1;
  }
  cudaMemset(p, 1, gib << 30);
  cudaDeviceSynchronize();
  printf("holding %zu GiB for %d s\n", gib, secs);
  fflush(stdout);
  sleep(secs);
  return 0;
}
