/* The linear-layer sgemms of one MiniLM forward pass (batch 32 x 64 tokens: per layer four
 * 2048x384x384 and two 2048x384x1536 products) through OpenBLAS from C: the floor under
 * `fedtune bench encoder`'s forward figure. Run by benchmarks/encoder.sh. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  int T=2048,H=384,IN=1536;
  float *x=malloc(4L*T*IN),*w=malloc(4L*IN*H),*y=malloc(4L*T*IN);
  for(long i=0;i<(long)T*IN;i++)x[i]=rand()/(float)RAND_MAX;
  for(long i=0;i<(long)IN*H;i++)w[i]=rand()/(float)RAND_MAX;
  for(int rep=0;rep<5;rep++){
  double t0=now();
  for(int l=0;l<6;l++){
    for(int p=0;p<4;p++) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,T,H,H,1,x,H,w,H,0,y,H);
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,T,IN,H,1,x,H,w,H,0,y,IN);
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,T,H,IN,1,x,IN,w,IN,0,y,H);
  }
  double t=now()-t0; printf("linear gemms of a forward: %.1f ms, %.1f GFLOP/s\n",t*1e3, 6*(4*2.0*T*H*H+2*2.0*T*H*IN)/t/1e9);}
}
