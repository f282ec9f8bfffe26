package failover

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// RestartedAtAnnotation rolls the dataplane's pods, as `kubectl rollout restart` does.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// roll restarts the dataplane's pods: their pools reconnect to the now writable database.
func (o Options) roll(ctx context.Context) error {
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`, RestartedAtAnnotation, time.Now().UTC().Format(time.RFC3339))
	_, err := o.Kube.AppsV1().Deployments(o.Namespace).Patch(ctx, o.Deployment, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "cmd-failover"})
	if err != nil {
		return fmt.Errorf("restarting %s/%s: %w", o.Namespace, o.Deployment, err)
	}
	return nil
}

// scale raises the HPA's minimum (and the Deployment's replicas to it, so the pods start now,
// not at the HPA's next sync).
func (o Options) scale(ctx context.Context) error {
	hpas := o.Kube.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace)
	hpa, err := hpas.Get(ctx, o.HPA, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("reading HPA %s/%s: %w", o.Namespace, o.HPA, err)
	}
	target := o.TargetReplicas
	if hpa.Spec.MaxReplicas < target {
		return fmt.Errorf("HPA %s's maximum %d is below the target %d", o.HPA, hpa.Spec.MaxReplicas, target)
	}
	hpa.Spec.MinReplicas = &target
	if _, err := hpas.Update(ctx, hpa, metav1.UpdateOptions{FieldManager: "cmd-failover"}); err != nil {
		return fmt.Errorf("raising HPA %s's minimum: %w", o.HPA, err)
	}
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, target)
	if _, err := o.Kube.AppsV1().Deployments(o.Namespace).Patch(ctx, o.Deployment, types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "cmd-failover"}); err != nil {
		return fmt.Errorf("scaling %s: %w", o.Deployment, err)
	}
	return nil
}

// ready waits until the Deployment has at least n ready pods.
func (o Options) ready(ctx context.Context, n int32) error {
	var have int32
	err := o.wait(ctx, "waiting for ready pods", func() (bool, error) {
		d, err := o.Kube.AppsV1().Deployments(o.Namespace).Get(ctx, o.Deployment, metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("reading %s/%s: %w", o.Namespace, o.Deployment, err)
		}
		have = d.Status.ReadyReplicas
		return have >= n, nil
	})
	if err != nil {
		return fmt.Errorf("%d of %d pods ready: %w", have, n, err)
	}
	return nil
}
